// What deletion and erasure leave behind: pure, so the rules are unit-tested apart from Firestore.
// A tombstone keeps what the ledger and the reports need (ids, status, model, size, cost, the
// charge and refund outcome, timestamps) and drops everything the user wrote or uploaded.
import { FieldValue } from "firebase-admin/firestore";

/** Written where free text was (ledger reasons, key names): the field stays, its content does not. */
export const REDACTED = "[erased]";

/** The update that turns a request into a tombstone. `status` is never touched. */
export function requestTombstone(now: Date, by: string, inputSha256: string | null) {
  return {
    prompt: "",
    negativePrompt: null,
    render: FieldValue.delete(),
    inputImage: null,
    outputs: [],
    webhookUrl: null,
    idempotencyKey: null,
    paramsHash: FieldValue.delete(),
    deletedAt: now,
    deletedBy: by,
    // Files are deleted after this commit; the flag says a retry (or the scheduled run) must finish them.
    deletion: { filesPending: true, inputSha256 },
    updatedAt: now,
  };
}

export const TERMINAL_STATUSES = new Set(["succeeded", "failed", "cancelled"]);

export interface DeleteFacts {
  exists: boolean;
  ownerId: string | null;
  status: string | null;
  deleted: boolean;
}

export type DeleteDecision = { kind: "not-found" } | { kind: "not-finished"; status: string } | { kind: "already-deleted" } | { kind: "delete" };

/** Whether `callerId` (an admin if `admin`) may delete the request, and what happens. */
export function planDelete(f: DeleteFacts, callerId: string, admin: boolean): DeleteDecision {
  // Someone else's id is indistinguishable from a missing one, as everywhere in the API.
  if (!f.exists || (f.ownerId !== callerId && !admin)) return { kind: "not-found" };
  if (f.deleted) return { kind: "already-deleted" };
  if (!TERMINAL_STATUSES.has(f.status ?? "")) return { kind: "not-finished", status: f.status ?? "unknown" };
  return { kind: "delete" };
}

/** Whether an ID token's sign-in is recent enough to erase one's own account. */
export function isFreshSignIn(authTimeSeconds: number | undefined, nowMs: number, maxAgeSeconds: number): boolean {
  if (typeof authTimeSeconds !== "number" || !Number.isFinite(authTimeSeconds)) return false;
  const age = nowMs / 1000 - authTimeSeconds;
  return age >= -60 && age <= maxAgeSeconds;
}
