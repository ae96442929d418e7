// Pure rules of the lease, so they are unit-tested without Firestore. The same rules hold for
// every job kind; only the status names differ (job-kind.ts).
import { GENERATE, type JobKind } from "./job-kind";

export type ClaimDecision = "unknown" | "terminal" | "busy" | "claim" | "reclaim" | "invalid";
export const TERMINAL = GENERATE.terminal;

export interface LeaseState { status?: unknown; lease?: { owner?: unknown; expiresAt?: { toMillis(): number } } | null }

/**
 * `owner` is this delivery's own lease token. Finding it already on the document means this
 * delivery's claim committed although the client saw an error, and the SDK ran the transaction
 * again: that is our claim ("reclaim"), not someone else's lease ("busy").
 */
export function decideClaim(doc: LeaseState | undefined, nowMs: number, owner?: string, kind: JobKind = GENERATE): ClaimDecision {
  if (!doc) return "unknown";
  if (owner !== undefined && doc.status === kind.running && doc.lease?.owner === owner) return "reclaim";
  if (typeof doc.status === "string" && kind.terminal.includes(doc.status)) return "terminal";
  if (doc.status === "queued") return "claim";
  if (doc.status === kind.running) {
    // A running job without a lease expiry is treated as abandoned, so it can never get stuck.
    const expires = doc.lease?.expiresAt?.toMillis();
    return expires !== undefined && expires > nowMs ? "busy" : "claim";
  }
  return "invalid";
}

/** Cloud Tasks counts retries from 0; the document counts claims. Either may be the larger. */
export function isLastAttempt(retryCount: number | null, attempts: number, maxAttempts: number): boolean {
  return Math.max((retryCount ?? -1) + 1, attempts) >= maxAttempts;
}
