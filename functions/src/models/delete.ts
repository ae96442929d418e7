// deleteCustomModel: the tombstone first (one transaction, which also settles any refund still
// owed: a model still queued is refunded like a cancel), then everything it leaves behind: the training photos and the LoRA in
// storage, every copy on the runners (an evict-lora task), and the queued generation requests
// that would load it (ended failed and refunded). Each step is idempotent, so deleting again
// finishes whatever an interrupted delete left.
import type { Firestore } from "firebase-admin/firestore";
import { isAdmin, type Caller } from "../auth/caller";
import { dispatcher as dispatcherFor, type DispatcherSource } from "../dispatch/dispatch";
import { GENERATE, TRAIN } from "../dispatch/jobKinds";
import { ApiError } from "../http/errors";
import { endJobAndRefund, readForRefund, writeRefund } from "../ledger/refund";
import { TERMINAL_REFUNDABLE } from "../ledger/types";
import { errorFields, log } from "../shared/log";
import type { ObjectStorage } from "../storage/storage";
import { runMoneyTransaction } from "../shared/transaction";

/** Deleted models' LoRAs by sha256 (the runners' shared eviction list). */
export const EVICTED_LORAS = "evictedLoras";

export interface DeleteResult {
  id: string;
  status: "deleted";
  refundedCredits: number;
  filesDeleted: number;
  generationRequestsFailed: number;
}

interface Tombstoned {
  uid: string;
  refunded: number;
  files: string[];
  loraSha256: string | null;
}

export async function deleteCustomModel(db: Firestore, files: ObjectStorage, caller: Caller, id: string, deps: { dispatcher?: DispatcherSource } = {}): Promise<DeleteResult> {
  const t = await tombstone(db, caller, id);
  await Promise.all(t.files.map((p) => files.remove(p)));
  if (t.loraSha256) await enqueueEviction(db, id, t.loraSha256, deps.dispatcher);
  const failed = await failQueuedGenerations(db, id);
  log.info("custom model deleted", { customModelId: id, uid: t.uid, refunded: t.refunded, files: t.files.length, generationRequestsFailed: failed });
  return { id, status: "deleted", refundedCredits: t.refunded, filesDeleted: t.files.length, generationRequestsFailed: failed };
}

async function tombstone(db: Firestore, caller: Caller, id: string): Promise<Tombstoned> {
  return runMoneyTransaction(db, async (tx) => {
    const model = await tx.get(db.doc(`customModels/${id}`));
    if (!model.exists || (model.get("userId") !== caller.uid && !isAdmin(caller))) throw new ApiError("NOT_FOUND", `custom model '${id}' not found`);
    const reads = await readForRefund(db, tx, model);
    const status = model.get("status") as string;
    const photos = ((model.get("train.photos") ?? []) as Array<{ path: string }>).map((p) => p.path);
    const lora = model.get("lora") as { path: string; sha256: string } | null;
    const result: Tombstoned = { uid: model.get("userId"), refunded: 0, files: [...photos, ...(lora?.path ? [lora.path] : [])], loraSha256: lora?.sha256 ?? null };
    if (status === "deleted") return result;
    const now = new Date();
    tx.update(model.ref, { status: "deleted", deletedAt: now, updatedAt: now, deletedBy: caller.uid, ...(status === "queued" ? { error: { code: "DELETED", message: "deleted before training started" } } : {}) });
    // Every runner instance checks this list before serving a cached LoRA and when it trims its
    // cache (gpu-runner/src/jobs/lora-evictions.repo.ts); the evict task below reaches only one.
    if (lora?.sha256) tx.set(db.doc(`${EVICTED_LORAS}/${lora.sha256}`), { sha256: lora.sha256, customModelId: id, evictedAt: now });
    // A tombstone leaves the refund path's view (it refunds failed and cancelled only), so
    // whatever is still owed is settled here: a queued model never started (refunded as for a
    // cancel), and a failed or cancelled one whose refund had not landed yet.
    const owedAs = status === "queued" ? "cancelled" : status;
    if (TERMINAL_REFUNDABLE.has(owedAs)) {
      const reason = status === "queued" ? "training cancelled (model deleted)" : TRAIN.refundReason(status, model.get("error.code"));
      const decision = writeRefund(db, tx, reads, { statusAfter: owedAs, actor: `user:${caller.uid}`, reason, now });
      if (decision.action === "refund") result.refunded = decision.amount;
    }
    return result;
  });
}

/** One task per LoRA (deterministic id), so deleting twice enqueues once. Recorded on the tombstone. */
async function enqueueEviction(db: Firestore, id: string, sha256: string, source?: DispatcherSource): Promise<void> {
  const ref = db.doc(`customModels/${id}`);
  const taskId = `evict-${id}`;
  try {
    const d = source === undefined ? dispatcherFor(GENERATE) : typeof source === "function" ? source() : source;
    await d.dispatch({ requestId: id, taskId, route: { path: "/tasks/evict-lora", body: { customModelId: id, sha256 } } });
    await ref.update({ eviction: { state: "enqueued", taskId, mode: d.mode, sha256, updatedAt: new Date(), lastError: null } });
  } catch (err) {
    log.warn("evict-lora enqueue failed; deleting again retries it", { customModelId: id, ...errorFields(err) });
    await ref.update({ eviction: { state: "pending", taskId, sha256, updatedAt: new Date(), lastError: String((err as Error)?.message ?? err) } }).catch(() => undefined);
  }
}

/** Queued requests that would load the deleted LoRA: failed and refunded, each in its own transaction. */
async function failQueuedGenerations(db: Firestore, id: string): Promise<number> {
  const queued = await db.collection("generationRequests").where("customModelId", "==", id).where("status", "==", "queued").get();
  const error = { code: "CUSTOM_MODEL_DELETED", message: `custom model '${id}' was deleted` };
  const ended = await Promise.all(queued.docs.map((d) =>
    endJobAndRefund(db, GENERATE, d.id, "system:model-delete", (job) => (job.get("status") === "queued" ? { status: "failed", error } : null))));
  return ended.filter(Boolean).length;
}
