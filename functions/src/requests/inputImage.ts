// Input images for image-to-image and virtual staging arrive as data URLs. They are decoded and
// checked before any money moves, then re-encoded as a plain PNG: upright (EXIF orientation
// applied), no metadata (no GPS or camera data leaves the user's photo), a format ComfyUI reads.
import { createHash } from "node:crypto";
import type sharpType from "sharp";
import { invalidArgument } from "../http/errors";

export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
  minSide: number;
}

export interface NormalizedImage {
  png: Buffer;
  width: number;
  height: number;
  sourceFormat: string;
  sha256: string;
}

const ALLOWED_FORMATS = new Set(["jpeg", "png", "webp"]);
const DATA_URL = /^data:(image\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/]*={0,2})$/;

export function decodeDataUrl(dataUrl: string, maxBytes: number, field = "inputImage"): Buffer {
  const m = DATA_URL.exec(dataUrl);
  if (!m) throw invalidArgument(field, "must be a base64 data URL like 'data:image/png;base64,...'");
  const bytes = Buffer.from(m[2], "base64");
  if (bytes.length === 0) throw invalidArgument(field, "is empty");
  if (bytes.length > maxBytes) throw invalidArgument(field, `is ${bytes.length} bytes; the limit is ${maxBytes}`);
  return bytes;
}

export async function normalizeInputImage(dataUrl: string, limits: ImageLimits, field = "inputImage"): Promise<NormalizedImage> {
  return normalizeImageBytes(decodeDataUrl(dataUrl, limits.maxBytes, field), limits, field);
}

/** Loaded on first use: most requests carry no image, and every emulator worker pays for imports. */
const loadSharp = async () => (await import("sharp")).default;

/** Header checks: a decodable image of an allowed format within the pixel and side limits. */
async function checkHeader(bytes: Buffer, limits: ImageLimits, field: string): Promise<{ format: string; width: number; height: number }> {
  const sharp = await loadSharp();
  let meta: sharpType.Metadata;
  try {
    // Only the header is read here, so the pixel limit can be reported with the real size.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw invalidArgument(field, "could not be decoded as an image");
  }
  if (!meta.format || !ALLOWED_FORMATS.has(meta.format)) {
    throw invalidArgument(field, `format '${meta.format ?? "unknown"}' is not allowed; use JPEG, PNG or WebP`);
  }
  const { width = 0, height = 0 } = meta;
  if (width * height > limits.maxPixels) {
    throw invalidArgument(field, `is ${width}x${height} = ${width * height} pixels; the limit is ${limits.maxPixels}`);
  }
  if (Math.min(width, height) < limits.minSide) {
    throw invalidArgument(field, `is ${width}x${height}; each side must be at least ${limits.minSide} pixels`);
  }
  return { format: meta.format, width, height };
}

/** Upright (EXIF orientation applied), metadata-free PNG of a checked image. */
export async function normalizeImageBytes(bytes: Buffer, limits: ImageLimits, field = "inputImage"): Promise<NormalizedImage> {
  const { format } = await checkHeader(bytes, limits, field);
  const sharp = await loadSharp();
  try {
    // limitInputPixels again at decode time: a header can lie about the size it expands to.
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: "error" })
      .rotate()
      .png({ compressionLevel: 6 })
      .toBuffer({ resolveWithObject: true });
    return { png: data, width: info.width, height: info.height, sourceFormat: format, sha256: createHash("sha256").update(data).digest("hex") };
  } catch {
    throw invalidArgument(field, "is corrupt or truncated and could not be decoded");
  }
}

/**
 * Decodes every pixel without keeping them: the original bytes are what gets stored (training
 * photos), but only once the whole image decoded. `stats()` reads the pixels through libvips'
 * pipeline into a few numbers per channel, where `.raw().toBuffer()` held the whole decoded
 * image (up to 4 bytes per pixel: 64 MiB at 16 megapixels) in memory at once.
 */
export async function verifyImageBytes(bytes: Buffer, limits: ImageLimits, field: string): Promise<{ format: string; width: number; height: number; sha256: string }> {
  const header = await checkHeader(bytes, limits, field);
  const sharp = await loadSharp();
  try {
    await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: "error" }).stats();
    return { format: header.format, width: header.width, height: header.height, sha256: createHash("sha256").update(bytes).digest("hex") };
  } catch {
    throw invalidArgument(field, "is corrupt or truncated and could not be decoded");
  }
}
