// Masks for image-to-image: white is repainted, black is kept, grey blends. A mask is checked
// like an input image (format, bytes, pixels, decodable), must have exactly the input image's
// size once both are upright (no resize rule to guess at), and is stored as a metadata-free
// greyscale PNG under its content hash, beside the input images.
import { invalidArgument } from "../http/errors";
import { normalizeImageBytes, normalizeInputImage, type ImageLimits, type NormalizedImage } from "./inputImage";
import { createHash } from "node:crypto";

export type MaskSource = { dataUrl: string } | { bytes: Buffer };

/** Pure: the size rule. `field` names what the caller sent (maskImage or maskUploadId). */
export function checkMaskSize(mask: { width: number; height: number }, input: { width: number; height: number }, field: string): void {
  if (mask.width !== input.width || mask.height !== input.height) {
    throw invalidArgument(field, `is ${mask.width}x${mask.height}; it must have the input image's size, ${input.width}x${input.height}`);
  }
}

/** Decodes and checks a mask against its input image; the PNG is greyscale, alpha flattened onto black (kept). */
export async function normalizeMask(source: MaskSource, limits: ImageLimits, input: { width: number; height: number }, field: string): Promise<NormalizedImage> {
  const decoded = "dataUrl" in source ? await normalizeInputImage(source.dataUrl, limits, field) : await normalizeImageBytes(source.bytes, limits, field);
  checkMaskSize(decoded, input, field);
  const sharp = (await import("sharp")).default;
  const png = await sharp(decoded.png).flatten({ background: "#000000" }).greyscale().toColourspace("b-w").png({ compressionLevel: 6 }).toBuffer();
  return { ...decoded, png, sha256: createHash("sha256").update(png).digest("hex") };
}
