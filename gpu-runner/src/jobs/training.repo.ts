import { Timestamp, type Firestore } from "firebase-admin/firestore";
import { TRAIN } from "./job-kind";
import { gpuSecondsField, jobDoc, whileOwner } from "./job.repo";

// customModels/{id} writes of the runner (contract: /tmp interface of issue 15, docs/data-model.md):
// every one in a transaction that first checks we still hold the training lease, so nothing
// is ever written over a terminal status (cancelled, deleted) or another runner's claim.

export interface StoredLora { path: string; sha256: string; bytes: number }

/** Lease extension doubles as the heartbeat the sweeper reads. */
export const renewTrainingLease = (db: Firestore, id: string, owner: string, leaseMs: number) =>
  whileOwner(db, id, owner, () => ({ "lease.expiresAt": Timestamp.fromMillis(Date.now() + leaseMs), heartbeatAt: Timestamp.now() }), TRAIN);

/** Throttled: progress never goes backwards (a retried run starts again from step 0 without showing it). */
export const writeTrainingProgress = (db: Firestore, id: string, owner: string, progress: number, step: number, leaseMs: number) =>
  whileOwner(db, id, owner, (d) => (typeof d.progress === "number" && d.progress >= progress ? null : {
    progress, step, heartbeatAt: Timestamp.now(), "lease.expiresAt": Timestamp.fromMillis(Date.now() + leaseMs),
  }), TRAIN);

export type Completion = "ready" | "gone" | "lost";

/**
 * training → ready with the LoRA. `gone`: the model was cancelled or deleted meanwhile (the
 * caller deletes the LoRA it stored); `lost`: another runner holds it now (its file stays).
 */
export async function completeTraining(db: Firestore, id: string, owner: string, lora: StoredLora, gpuMs: number | null = null): Promise<Completion> {
  return db.runTransaction(async (tx) => {
    const snap = await tx.get(jobDoc(db, id, TRAIN));
    const d = snap.data();
    if (!d || d.status === "cancelled" || d.status === "deleted") return "gone";
    if (d.status !== TRAIN.running || d.lease?.owner !== owner) return "lost";
    const now = Timestamp.now();
    tx.update(snap.ref, { status: "ready", readyAt: now, updatedAt: now, progress: 1, step: d.steps ?? d.train?.steps ?? null, lora, error: null, lease: null, ...gpuSecondsField(gpuMs) });
    return "ready";
  });
}

/** training → failed; cm-api's trigger refunds (never the runner). */
export const failTraining = (db: Firestore, id: string, owner: string, error: { code: string; message: string }, gpuMs: number | null = null) =>
  whileOwner(db, id, owner, () => ({ status: "failed", error, lease: null, ...gpuSecondsField(gpuMs) }), TRAIN);

/** Status as it is now (after a lost lease: was the model deleted or cancelled?). */
export async function trainingStatus(db: Firestore, id: string): Promise<unknown> {
  return (await jobDoc(db, id, TRAIN).get()).get("status");
}
