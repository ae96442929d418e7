// Small real images for tests that send input photos (data URLs, as a client would).
import sharp from "sharp";

export async function pngDataUrl(rgb: { r: number; g: number; b: number }, width = 320, height = 240): Promise<string> {
  const buf = await sharp({ create: { width, height, channels: 3, background: rgb } }).png().toBuffer();
  return `data:image/png;base64,${buf.toString("base64")}`;
}
