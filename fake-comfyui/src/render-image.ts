import { createHash } from "node:crypto";
import sharp from "sharp";
import { LORA_MARK_ROWS, type Rgb } from "./lora-mark";
import { addPngTextChunks } from "./png-text";

/** Deterministic "generated" pixels: a gradient tinted by the prompt plus seeded noise. */
export async function renderFakeImage(opts: { width: number; height: number; seed: number; text: string; index: number; pngInfo: Record<string, string>; loraMarks?: Rgb[] }): Promise<Buffer> {
  const h = createHash("sha256").update(`${opts.seed}:${opts.index}:${opts.text}`).digest();
  const { width, height } = opts;
  const px = Buffer.alloc(width * height * 3);
  let state = h.readUInt32LE(0) || 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      state ^= state << 13; state ^= state >>> 17; state ^= state << 5; // xorshift32 noise
      const n = (state & 0x1f) - 16;
      const o = (y * width + x) * 3;
      px[o] = clamp((h[1] * x) / width + (h[2] * (height - y)) / height / 2 + n);
      px[o + 1] = clamp((h[3] * y) / height + h[4] / 4 + n);
      px[o + 2] = clamp((h[5] * (width - x)) / width + (h[6] * y) / height / 2 + n);
    }
  }
  // A LoRA paints its mark (flat, no noise) over the top rows; with several, the last one wins.
  const mark = opts.loraMarks?.at(-1);
  if (mark) {
    for (let o = 0; o < Math.min(LORA_MARK_ROWS, height) * width * 3; o += 3) (px[o] = mark.r), (px[o + 1] = mark.g), (px[o + 2] = mark.b);
  }
  const png = await sharp(px, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
  // ComfyUI's SaveImage embeds the prompt and the UI workflow as tEXt chunks.
  return addPngTextChunks(png, opts.pngInfo);
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v | 0);
