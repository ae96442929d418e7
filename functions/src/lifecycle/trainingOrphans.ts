// Training photos no custom model points at: what a refused createCustomModel stored. A refused
// create never deletes its own photos, because a concurrent call with the same idempotency key
// (the same model id and, by content addressing, the same names) may commit a model that points
// at them after it failed. Once an object is older than any create can run, the model document
// decides: no model, a deleted one, or a model that does not list this path → the object goes.
// Bounded and resumable like the retention passes: the listing's page token is saved per page.
import type { Firestore } from "firebase-admin/firestore";
import type { ManagedStorage } from "../storage/storage";
import { log } from "../shared/log";

/** Far beyond createCustomModel's 120 s timeout: a younger object may belong to a create still running. */
export const TRAINING_ORPHAN_AGE_MS = 3_600_000;
const PATH = /^training\/([^/]+)\/(cm_[A-Za-z0-9]+)\/[^/]+$/;

export interface TrainingOrphanOptions {
  db: Firestore;
  files: ManagedStorage;
  now: Date;
  batchLimit: number;
  maxBatches: number;
  stateDoc?: string;
}

export async function removeTrainingOrphans(o: TrainingOrphanOptions): Promise<{ deleted: string[]; done: boolean }> {
  const state = o.db.doc(o.stateDoc ?? "lifecycle/trainingOrphans");
  let token = ((await state.get()).get("pageToken") as string | null | undefined) ?? undefined;
  const deleted: string[] = [];
  const cutoff = o.now.getTime() - TRAINING_ORPHAN_AGE_MS;
  for (let n = 0; n < o.maxBatches; n++) {
    const page = await o.files.list("training/", { maxResults: o.batchLimit, pageToken: token });
    const referenced = new Map<string, Promise<Set<string> | null>>();
    for (const obj of page.items) {
      const m = PATH.exec(obj.path);
      if (!m || obj.updatedAt.getTime() > cutoff) continue;
      if (!referenced.has(m[2])) referenced.set(m[2], photoPathsOf(o.db, m[2], m[1]));
      if ((await referenced.get(m[2]))?.has(obj.path)) continue;
      await o.files.remove(obj.path);
      deleted.push(obj.path);
    }
    token = page.nextPageToken ?? undefined;
    await state.set({ pageToken: token ?? null, updatedAt: o.now }, { merge: true });
    if (!token) break;
  }
  if (deleted.length) log.info("lifecycle.training_orphans_deleted", { count: deleted.length });
  return { deleted, done: !token };
}

/** The photo paths a live model of `uid` points at; null when there is none. */
async function photoPathsOf(db: Firestore, modelId: string, uid: string): Promise<Set<string> | null> {
  const model = await db.doc(`customModels/${modelId}`).get();
  if (!model.exists || model.get("userId") !== uid || model.get("status") === "deleted") return null;
  return new Set(((model.get("train.photos") ?? []) as Array<{ path: string }>).map((p) => p.path));
}
