// Preview frames as ComfyUI sends them, and the at-most-once-a-second sink (clock injected).
import sharp from "sharp";
import { parsePreviewFrame } from "../src/comfy/preview-frame";
import { PreviewSink, takesFrame } from "../src/jobs/preview";
import { previewFrame } from "../../fake-comfyui/src/previews";
import { captureLogger } from "./helpers";

const frame = (event: number, type: number, body = Buffer.from("img")) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(event, 0);
  head.writeUInt32BE(type, 4);
  return Buffer.concat([head, body]);
};

describe("preview frames", () => {
  it("reads PREVIEW_IMAGE frames (JPEG or PNG) and nothing else", async () => {
    expect(parsePreviewFrame(frame(1, 1))).toEqual({ format: "jpeg", bytes: Buffer.from("img") });
    expect(parsePreviewFrame(frame(1, 2))?.format).toBe("png");
    expect(parsePreviewFrame(frame(3, 1))).toBeNull(); // text
    expect(parsePreviewFrame(frame(1, 9))).toBeNull();
    expect(parsePreviewFrame(Buffer.alloc(4))).toBeNull();
    // The fake's frame: a latent-size JPEG (1/8 of the picture) behind the 8-byte header.
    const parsed = parsePreviewFrame(await previewFrame(512, 384, 3, 20, 7))!;
    expect(await sharp(parsed.bytes).metadata()).toMatchObject({ format: "jpeg", width: 64, height: 48 });
  });

  it("takes at most one frame per interval, and none while one is still being stored", () => {
    expect(takesFrame(Number.NEGATIVE_INFINITY, 0, 1000, false)).toBe(true);
    expect(takesFrame(0, 999, 1000, false)).toBe(false);
    expect(takesFrame(0, 1000, 1000, false)).toBe(true);
    expect(takesFrame(0, 5000, 1000, true)).toBe(false);
  });

  it("stores small WebPs, one per second of an injected clock", async () => {
    let now = 0;
    const stored: Buffer[] = [];
    const sink = new PreviewSink({ intervalMs: 1000, now: () => now, store: async (webp) => void stored.push(webp), log: captureLogger().log });
    const jpeg = await sharp({ create: { width: 1024, height: 512, channels: 3, background: "red" } }).jpeg().toBuffer();
    for (const t of [0, 200, 900, 1000, 1500, 2600]) {
      now = t;
      sink.offer(jpeg);
      await sink.flush();
    }
    expect(stored).toHaveLength(3); // at 0, 1000 and 2600
    expect(await sharp(stored[0]).metadata()).toMatchObject({ format: "webp", width: 256, height: 128 });
  });
});
