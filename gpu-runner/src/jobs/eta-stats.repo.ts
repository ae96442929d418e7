// The measured side of queue ETAs: after each successful generation, ComfyUI's execution time
// (execution_start → success as the runner saw it) per image goes into a rolling estimate for
// the request's `etaKey` (template, size and upscale, set at create). The API reads these
// estimates to answer a queued request's ETA (functions/src/queue/).
import type { Firestore } from "firebase-admin/firestore";
import { Timestamp } from "firebase-admin/firestore";

/** Weight of the newest measurement: about the last ten jobs dominate the estimate. */
export const ETA_ALPHA = 0.2;

/** Pure: the next rolling mean (the first sample is taken as is). */
export function nextEstimate(prev: { meanSecondsPerImage: number; samples: number } | null, secondsPerImage: number): { meanSecondsPerImage: number; samples: number } {
  if (!prev || prev.samples === 0) return { meanSecondsPerImage: secondsPerImage, samples: 1 };
  return { meanSecondsPerImage: prev.meanSecondsPerImage + ETA_ALPHA * (secondsPerImage - prev.meanSecondsPerImage), samples: prev.samples + 1 };
}

/** Best effort: a lost sample only makes the estimate a little older; the job itself is done. */
export async function recordExecution(db: Firestore, etaKey: unknown, executionMs: number | undefined, images: number): Promise<void> {
  if (typeof etaKey !== "string" || !etaKey || executionMs === undefined || executionMs < 0 || images < 1) return;
  const ref = db.collection("etaStats").doc(etaKey);
  await db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    const prev = snap.exists ? { meanSecondsPerImage: Number(snap.get("meanSecondsPerImage")), samples: Number(snap.get("samples")) } : null;
    tx.set(ref, { ...nextEstimate(prev, executionMs / 1000 / images), updatedAt: Timestamp.now() });
  });
}
