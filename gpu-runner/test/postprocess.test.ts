import sharp from "sharp";
import { postprocessImage } from "../src/postprocess/postprocess";
import { readPngChunks, readPngText } from "../src/shared/png-chunks";
import { comfyLikePng, webpChunks } from "./helpers";

describe("post-processing", () => {
  it("starts from a PNG that really carries ComfyUI's text chunks", async () => {
    const png = await comfyLikePng();
    expect(Object.keys(readPngText(png))).toEqual(["prompt", "workflow"]);
    expect((await sharp(png).metadata()).width).toBe(64);
  });

  it("encodes WebP without any metadata chunk, with a thumbnail and the real size", async () => {
    const out = await postprocessImage(await comfyLikePng(640, 480), { format: "webp", quality: 85, thumbnailSize: 128 });
    expect(out).toMatchObject({ contentType: "image/webp", ext: "webp", width: 640, height: 480 });
    const chunks = webpChunks(out.bytes);
    expect(chunks.filter((c) => ["EXIF", "XMP ", "ICCP"].includes(c))).toEqual([]);
    expect(out.bytes.includes(Buffer.from("KSampler"))).toBe(false);
    const meta = await sharp(out.bytes).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif, meta.xmp]).toEqual(["webp", 640, 480, undefined, undefined]);
    const thumb = await sharp(out.thumbnail).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(["webp", 128, 96]);
  });

  it("drops tEXt chunks when re-encoding to PNG", async () => {
    const out = await postprocessImage(await comfyLikePng(), { format: "png", quality: 90, thumbnailSize: 32 });
    const types = readPngChunks(out.bytes).map((c) => c.type);
    expect(types).not.toContain("tEXt");
    expect(types).not.toContain("iTXt");
    expect(types).not.toContain("zTXt");
    expect(readPngText(out.bytes)).toEqual({});
  });

  it("PNG output passes ComfyUI's pixels through untouched and drops every metadata chunk", async () => {
    const png = await comfyLikePng(96, 64);
    const out = await postprocessImage(png, { format: "png", quality: 90, thumbnailSize: 32 });
    expect(out).toMatchObject({ contentType: "image/png", ext: "png", width: 96, height: 64 });
    const types = readPngChunks(out.bytes).map((c) => c.type);
    expect(readPngChunks(png).map((c) => c.type)).toContain("tEXt");
    expect(types.filter((t) => !["IHDR", "IDAT", "pHYs", "IEND"].includes(t))).toEqual([]);
    expect(out.bytes.includes(Buffer.from("KSampler"))).toBe(false);
    const idat = (b: Buffer) => Buffer.concat(readPngChunks(b).filter((c) => c.type === "IDAT").map((c) => c.data));
    expect(idat(out.bytes).equals(idat(png))).toBe(true);
    const [a, b] = await Promise.all([sharp(png).raw().toBuffer(), sharp(out.bytes).raw().toBuffer()]);
    expect(a.equals(b)).toBe(true);
    expect((await sharp(out.thumbnail).metadata()).width).toBe(32);
  });

  it("drops EXIF from a JPEG input", async () => {
    const withExif = await sharp({ create: { width: 32, height: 32, channels: 3, background: "white" } })
      .withExif({ IFD0: { Software: "ComfyUI", ImageDescription: "secret prompt" } })
      .jpeg()
      .toBuffer();
    expect((await sharp(withExif).metadata()).exif).toBeDefined();
    for (const format of ["jpeg", "avif"] as const) {
      const out = await postprocessImage(withExif, { format, quality: 80, thumbnailSize: 16 });
      const meta = await sharp(out.bytes).metadata();
      expect(meta.exif).toBeUndefined();
      expect(out.bytes.includes(Buffer.from("secret prompt"))).toBe(false);
    }
  });
});
