/**
 * Decides which progress values reach Firestore: never backwards, at most one write per
 * `intervalMs`, and never for a change under `minDelta`. The final 1 is written by completion.
 * With `startedAtMs`, the first write also waits an interval after the start: a job shorter than
 * that costs no progress write (and no trigger run) at all, its `running` status says enough.
 */
export class ProgressThrottle {
  private written = 0;
  private writtenAt: number;

  constructor(private readonly intervalMs: number, private readonly minDelta = 0.01, startedAtMs = Number.NEGATIVE_INFINITY) {
    this.writtenAt = startedAtMs;
  }

  /** Returns the value to write now, or null to skip. */
  offer(value: number, nowMs: number): number | null {
    const v = Math.max(0, Math.min(1, value));
    if (v - this.written < this.minDelta) return null;
    if (nowMs - this.writtenAt < this.intervalMs) return null;
    this.written = v;
    this.writtenAt = nowMs;
    return v;
  }
}

/** Sampling is most of the work; the last 10% is download, post-processing and upload. */
export const SAMPLING_SHARE = 0.9;
