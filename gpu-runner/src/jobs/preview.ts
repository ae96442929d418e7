// Live previews: ComfyUI's sampler preview frames (comfy/preview-frame.ts), at most one per
// interval, re-encoded as a small WebP and stored in the request's outputs folder (so deleting
// the request or the account removes it), its path written on the request for the API to sign.
// A frame arriving while the previous one is still being stored is dropped, not queued: only
// the latest picture matters.
import sharp from "sharp";
import type { Logger } from "../log";

export const PREVIEW_MAX_SIDE = 256;
export const previewPath = (uid: string, requestId: string) => `generations/${uid}/${requestId}/preview.webp`;

/** Pure: whether a frame arriving at `now` is taken. */
export const takesFrame = (lastAt: number, now: number, intervalMs: number, busy: boolean) => !busy && now - lastAt >= intervalMs;

export class PreviewSink {
  private lastAt = Number.NEGATIVE_INFINITY;
  private busy: Promise<void> | null = null;
  taken = 0;

  constructor(private readonly opts: { intervalMs: number; now?: () => number; store: (webp: Buffer) => Promise<void>; log: Logger }) {}

  offer(image: Buffer): void {
    const now = (this.opts.now ?? Date.now)();
    if (!takesFrame(this.lastAt, now, this.opts.intervalMs, this.busy !== null)) return;
    this.lastAt = now;
    this.taken++;
    this.busy = sharp(image)
      .resize(PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE, { fit: "inside", withoutEnlargement: true })
      .webp({ quality: 60, effort: 2 })
      .toBuffer()
      .then((webp) => this.opts.store(webp))
      .catch((e) => this.opts.log.warn("job.preview_failed", { error: e }))
      .finally(() => (this.busy = null));
  }

  /** Waits for a preview being stored, so none lands after the job's final write. */
  async flush(): Promise<void> {
    await this.busy;
  }
}
