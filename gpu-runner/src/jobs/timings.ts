import { Timestamp } from "firebase-admin/firestore";
import type { RunTimings } from "../comfy/run-prompt";

/**
 * Milestones of one attempt (epoch ms), stored on success as `timings` (docs/data-model.md): they
 * split a job's wall time into queueing, GPU execution and the runner's own overhead.
 */
export interface JobTimings extends RunTimings { deliveredAt: number; claimedAt?: number; storedAt?: number; completedAt?: number }

export function timingsToFirestore(t: JobTimings): Record<string, Timestamp> {
  return Object.fromEntries(Object.entries(t).flatMap(([k, v]) => (typeof v === "number" ? [[k, Timestamp.fromMillis(v)]] : [])));
}

/** The same milestones as durations, for one log line an operator can read. */
export function timingSpans(t: JobTimings): Record<string, number | undefined> {
  const d = (a?: number, b?: number) => (a !== undefined && b !== undefined ? b - a : undefined);
  return {
    claimMs: d(t.deliveredAt, t.claimedAt), submitMs: d(t.claimedAt, t.submittedAt), comfyQueueMs: d(t.submittedAt, t.executionStartedAt),
    executionMs: d(t.executionStartedAt, t.executionEndedAt), fetchMs: d(t.executionEndedAt, t.fetchedAt),
    storeMs: d(t.fetchedAt, t.storedAt), completeMs: d(t.storedAt, t.completedAt),
  };
}
