// Sampler previews as ComfyUI sends them: latent_preview.py decodes the latent at each step into
// a small image (latent size, 1/8 of the picture) and server.py sends it to the prompt's client
// as a binary frame: 4-byte big-endian event type 1 (PREVIEW_IMAGE), 4-byte big-endian image
// type (1 = JPEG, 2 = PNG), then the encoded image. Only when previews are on: the server's
// --preview-method, or the prompt's extra_data.preview_method; "none" (the default) sends none.
import sharp from "sharp";

export const PREVIEW_IMAGE = 1;
export const JPEG = 1;

export const previewsWanted = (extraData: Record<string, unknown>) =>
  typeof extraData.preview_method === "string" && extraData.preview_method !== "none";

/** The frame for one step: a latent-size JPEG that brightens as the steps go. */
export async function previewFrame(width: number, height: number, step: number, steps: number, seed: number): Promise<Buffer> {
  const w = Math.max(8, Math.round(width / 8));
  const h = Math.max(8, Math.round(height / 8));
  const t = step / Math.max(1, steps);
  const background = { r: Math.round(40 + 180 * t), g: (seed * 37) % 200, b: Math.round(200 - 150 * t) };
  const jpeg = await sharp({ create: { width: w, height: h, channels: 3, background } }).jpeg({ quality: 80 }).toBuffer();
  const head = Buffer.alloc(8);
  head.writeUInt32BE(PREVIEW_IMAGE, 0);
  head.writeUInt32BE(JPEG, 4);
  return Buffer.concat([head, jpeg]);
}
