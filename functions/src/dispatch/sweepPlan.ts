// What the sweeper does with one request: pure, so every rule is unit-tested without Firestore.
import type { Config } from "../config";

export interface SweepFacts {
  id: string;
  status: string;
  createdAtMs: number;
  /** Runner claims so far (`attempts`). */
  attempts: number;
  /** `dispatch.state`; a request written before dispatch existed counts as pending. */
  dispatchState: "pending" | "enqueued";
  /** Confirmed enqueues so far (`dispatch.attempts`): the next task is taskIdFor(id, this). */
  dispatchAttempts: number;
  dispatchUpdatedAtMs: number;
  leaseExpiresAtMs: number | null;
}

export interface SweepLimits {
  /** A pending dispatch (enqueue failed after commit) is retried once it is this old. */
  pendingAfterMs: number;
  /** An enqueued, still unclaimed request gets a fresh task after this long (its task may be gone). */
  enqueuedStaleMs: number;
  /**
   * A lease must be expired this long before the sweeper steps in. Above the queue's max backoff,
   * so a task that is merely waiting for its next retry is left to Cloud Tasks.
   */
  leaseGraceMs: number;
  /** Never started within this long: give up and refund. */
  queuedDeadlineMs: number;
  /** Extra tasks for a running job whose runner vanished, before it is ended as failed. */
  maxRedispatches: number;
  /** = the queue's and the runner's max attempts. */
  maxAttempts: number;
}

export type SweepAction =
  | { kind: "dispatch"; id: string; n: number; why: string }
  | { kind: "fail"; id: string; code: "LEASE_EXPIRED" | "MAX_ATTEMPTS_EXCEEDED" | "QUEUE_TIMEOUT"; message: string }
  | { kind: "none"; id: string; why: string };

export function sweepLimits(c: Config): SweepLimits {
  return {
    pendingAfterMs: c.SWEEP_PENDING_AFTER_SECONDS * 1000,
    enqueuedStaleMs: c.SWEEP_ENQUEUED_STALE_SECONDS * 1000,
    leaseGraceMs: c.SWEEP_LEASE_GRACE_SECONDS * 1000,
    queuedDeadlineMs: c.SWEEP_QUEUED_DEADLINE_SECONDS * 1000,
    maxRedispatches: c.SWEEP_MAX_REDISPATCHES,
    maxAttempts: c.TASKS_MAX_ATTEMPTS,
  };
}

export function planSweep(f: SweepFacts, nowMs: number, l: SweepLimits): SweepAction {
  if (f.status === "queued") return planQueued(f, nowMs, l);
  if (f.status === "running") return planRunning(f, nowMs, l);
  return { kind: "none", id: f.id, why: `status ${f.status}` };
}

function planQueued(f: SweepFacts, nowMs: number, l: SweepLimits): SweepAction {
  if (nowMs - f.createdAtMs >= l.queuedDeadlineMs) {
    return { kind: "fail", id: f.id, code: "QUEUE_TIMEOUT", message: `not started within ${Math.round(l.queuedDeadlineMs / 60_000)} min` };
  }
  const idleMs = nowMs - f.dispatchUpdatedAtMs;
  if (f.dispatchState === "pending" && idleMs >= l.pendingAfterMs) return { kind: "dispatch", id: f.id, n: f.dispatchAttempts, why: "enqueue after commit failed" };
  if (f.dispatchState === "enqueued" && idleMs >= l.enqueuedStaleMs) return { kind: "dispatch", id: f.id, n: f.dispatchAttempts, why: "enqueued but never claimed" };
  return { kind: "none", id: f.id, why: "dispatch in progress" };
}

function planRunning(f: SweepFacts, nowMs: number, l: SweepLimits): SweepAction {
  // The runner clears the lease only when it ends the job, so a running job without one is
  // treated like an expired lease from its last dispatch.
  const expiredAt = f.leaseExpiresAtMs ?? f.dispatchUpdatedAtMs;
  if (nowMs - expiredAt < l.leaseGraceMs) return { kind: "none", id: f.id, why: "lease alive or within grace" };
  // A task the sweeper sent recently gets the same grace to be delivered and claimed.
  if (nowMs - f.dispatchUpdatedAtMs < l.leaseGraceMs) return { kind: "none", id: f.id, why: "re-dispatched recently" };
  if (f.attempts >= l.maxAttempts) {
    return { kind: "fail", id: f.id, code: "MAX_ATTEMPTS_EXCEEDED", message: `runner lease expired after ${f.attempts} attempt(s)` };
  }
  // The first enqueue is the create's; the rest were the sweeper's.
  if (f.dispatchAttempts - 1 >= l.maxRedispatches) {
    return { kind: "fail", id: f.id, code: "LEASE_EXPIRED", message: `runner lease expired and ${l.maxRedispatches} re-dispatch(es) did not revive it` };
  }
  return { kind: "dispatch", id: f.id, n: f.dispatchAttempts, why: "lease expired" };
}

/** Reads the facts from a request document's data (Timestamps or Dates). */
export function sweepFacts(id: string, d: Record<string, any>): SweepFacts {
  const ms = (t: any): number | null => (t == null ? null : typeof t.toMillis === "function" ? t.toMillis() : t instanceof Date ? t.getTime() : null);
  const createdAtMs = ms(d.createdAt) ?? 0;
  return {
    id,
    status: String(d.status),
    createdAtMs,
    attempts: typeof d.attempts === "number" ? d.attempts : 0,
    dispatchState: d.dispatch?.state === "enqueued" ? "enqueued" : "pending",
    dispatchAttempts: typeof d.dispatch?.attempts === "number" ? d.dispatch.attempts : 0,
    dispatchUpdatedAtMs: ms(d.dispatch?.updatedAt) ?? createdAtMs,
    leaseExpiresAtMs: ms(d.lease?.expiresAt),
  };
}
