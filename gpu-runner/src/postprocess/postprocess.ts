import sharp from "sharp";

export type OutputFormat = "webp" | "png" | "jpeg" | "avif";

export interface PostprocessOptions {
  format: OutputFormat;
  quality: number;
  thumbnailSize: number;
}

export interface ProcessedImage {
  bytes: Buffer;
  contentType: string;
  ext: string;
  width: number;
  height: number;
  thumbnail: Buffer;
}

const contentTypes: Record<OutputFormat, string> = { webp: "image/webp", png: "image/png", jpeg: "image/jpeg", avif: "image/avif" };

// sharp writes no metadata unless keepMetadata()/withMetadata() is called, so ComfyUI's
// prompt/workflow text chunks (and any EXIF/XMP) are dropped by re-encoding; tests verify it.
function encode(img: sharp.Sharp, format: OutputFormat, quality: number): sharp.Sharp {
  switch (format) {
    case "webp": return img.webp({ quality });
    case "png": return img.png({ compressionLevel: 6 });
    case "jpeg": return img.jpeg({ quality, mozjpeg: true });
    case "avif": return img.avif({ quality });
  }
}

export async function postprocessImage(input: Buffer, opts: PostprocessOptions): Promise<ProcessedImage> {
  // Decode once; both encoders then start from raw pixels instead of inflating the PNG twice.
  const decoded = await sharp(input).raw().toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: decoded.info.width, height: decoded.info.height, channels: decoded.info.channels } };
  const [main, thumbnail] = await Promise.all([
    encode(sharp(decoded.data, raw), opts.format, opts.quality).toBuffer({ resolveWithObject: true }),
    sharp(decoded.data, raw)
      .resize(opts.thumbnailSize, opts.thumbnailSize, { fit: "inside", withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer(),
  ]);
  return {
    bytes: main.data,
    contentType: contentTypes[opts.format],
    ext: opts.format === "jpeg" ? "jpg" : opts.format,
    width: main.info.width,
    height: main.info.height,
    thumbnail,
  };
}
