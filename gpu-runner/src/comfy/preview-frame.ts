// ComfyUI's binary WebSocket frames (server.py send_bytes / encode_bytes): a 4-byte big-endian
// event type, then the payload. PREVIEW_IMAGE (1) carries a 4-byte big-endian image type
// (1 = JPEG, 2 = PNG) and the encoded image: the sampler's latent decoded at the current step
// (latent_preview.py). Other types (text, previews with metadata) are not ours to read. Pure.

export const PREVIEW_IMAGE = 1;

export function parsePreviewFrame(frame: Buffer): { format: "jpeg" | "png"; bytes: Buffer } | null {
  if (frame.length <= 8 || frame.readUInt32BE(0) !== PREVIEW_IMAGE) return null;
  const type = frame.readUInt32BE(4);
  if (type !== 1 && type !== 2) return null;
  return { format: type === 1 ? "jpeg" : "png", bytes: frame.subarray(8) };
}
