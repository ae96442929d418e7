// Real pixels for the fake's image nodes. Frames are raw RGB, 8 bits a channel; a MASK is one
// float 0..1 per pixel. The operations follow the nodes they stand in for: ImageScale and
// ImageUpscaleWithModel resize (the fake's "model" is lanczos at the model's scale),
// ImageToMask takes one channel of the first image, ImageCompositeMasked lays the source over
// the destination weighted by the mask (bilinear-fitted to the source), RepeatImageBatch
// repeats, and a sampler started from pixels moves them towards fresh ones by `denoise`, only
// where the latent's noise mask is set.
import sharp from "sharp";

export interface Frame { width: number; height: number; data: Buffer }
export interface Mask { width: number; height: number; data: Float32Array }

export async function decodeFrame(bytes: Buffer): Promise<Frame> {
  const { data, info } = await sharp(bytes).removeAlpha().toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

export async function encodeFrame(f: Frame): Promise<Buffer> {
  return sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
}

/** Resizes (crop "center" covers and crops, like ImageScale's); the same size is returned untouched. */
export async function resizeFrame(f: Frame, width: number, height: number, crop = "disabled"): Promise<Frame> {
  if (f.width === width && f.height === height) return f;
  const { data, info } = await sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } })
    .resize(width, height, { kernel: "lanczos3", fit: crop === "center" ? "cover" : "fill" })
    .raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

export function maskFromFrame(f: Frame, channel: string): Mask {
  const c = ["red", "green", "blue"].indexOf(channel);
  const data = new Float32Array(f.width * f.height);
  for (let i = 0; i < data.length; i++) data[i] = f.data[i * 3 + c] / 255;
  return { width: f.width, height: f.height, data };
}

/** The mask fitted to a size (bilinear, like the nodes' interpolate) as a 0..1 per pixel. */
function fitMask(m: Mask, width: number, height: number): Float32Array {
  if (m.width === width && m.height === height) return m.data;
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(m.height - 1, Math.max(0, ((y + 0.5) * m.height) / height - 0.5));
    const y0 = Math.floor(sy), y1 = Math.min(m.height - 1, y0 + 1), fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(m.width - 1, Math.max(0, ((x + 0.5) * m.width) / width - 0.5));
      const x0 = Math.floor(sx), x1 = Math.min(m.width - 1, x0 + 1), fx = sx - x0;
      const at = (xx: number, yy: number) => m.data[yy * m.width + xx];
      out[y * width + x] = (at(x0, y0) * (1 - fx) + at(x1, y0) * fx) * (1 - fy) + (at(x0, y1) * (1 - fx) + at(x1, y1) * fx) * fy;
    }
  }
  return out;
}

/** ImageCompositeMasked: `source` over `destination` at (x, y), weighted by the mask (1 without one). */
export function composite(destination: Frame, source: Frame, x: number, y: number, mask?: Mask): Frame {
  const out = Buffer.from(destination.data);
  const weights = mask ? fitMask(mask, source.width, source.height) : null;
  for (let sy = 0; sy < source.height && y + sy < destination.height; sy++) {
    for (let sx = 0; sx < source.width && x + sx < destination.width; sx++) {
      const w = weights ? weights[sy * source.width + sx] : 1;
      if (w === 0) continue; // kept: the destination's byte, exactly
      const s = (sy * source.width + sx) * 3, d = ((y + sy) * destination.width + (x + sx)) * 3;
      for (let c = 0; c < 3; c++) out[d + c] = Math.round(source.data[s + c] * w + destination.data[d + c] * (1 - w));
    }
  }
  return { width: destination.width, height: destination.height, data: out };
}

/** A sampler started from `source`: each pixel moves towards `fresh` by denoise × its noise-mask value. */
export function denoiseFrom(source: Frame, fresh: Frame, denoise: number, mask?: Mask): Frame {
  const fitted = source.width === fresh.width && source.height === fresh.height ? source : null;
  if (!fitted) return fresh; // a latent of another size: nothing of the source survives
  const weights = mask ? fitMask(mask, fresh.width, fresh.height) : null;
  const out = Buffer.alloc(fresh.data.length);
  for (let p = 0; p < fresh.width * fresh.height; p++) {
    const w = denoise * (weights ? weights[p] : 1);
    for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.round(source.data[p * 3 + c] + (fresh.data[p * 3 + c] - source.data[p * 3 + c]) * w);
  }
  return { width: fresh.width, height: fresh.height, data: out };
}
