// deleteGenerationRequest: a finished request becomes a tombstone (status, cost and ids stay, so
// its ledger entries still point at something) and its files go. The tombstone is committed
// first, so no new download URL is ever issued for it; the files follow, and a crash between the
// two leaves `deletion.filesPending`, which a repeated call or the scheduled run finishes.
import type { Firestore } from "firebase-admin/firestore";
import { isAdmin, type Caller } from "../auth/caller";
import { ApiError } from "../http/errors";
import type { ManagedStorage } from "../storage/storage";
import { log } from "../shared/log";
import { releaseInput } from "./inputRefs";
import { requestOutputsPrefix } from "./paths";
import { planDelete, requestTombstone } from "./scrub";

export interface DeleteResult {
  id: string;
  status: string;
  deletedAt: string;
  alreadyDeleted: boolean;
}

interface OutputPaths { path?: string; thumbnailPath?: string }

export async function deleteRequest(db: Firestore, files: ManagedStorage, caller: Caller, id: string): Promise<DeleteResult> {
  const ref = db.doc(`generationRequests/${id}`);
  const committed = await db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    const decision = planDelete(
      { exists: snap.exists, ownerId: snap.get("userId") ?? null, status: snap.get("status") ?? null, deleted: !!snap.get("deletedAt") },
      caller.uid, isAdmin(caller),
    );
    if (decision.kind === "not-found") throw new ApiError("NOT_FOUND", `generation request '${id}' not found`);
    if (decision.kind === "not-finished") {
      throw new ApiError("FAILED_PRECONDITION", `request is '${decision.status}'; only succeeded, failed or cancelled requests can be deleted`, { status: decision.status });
    }
    if (decision.kind === "already-deleted") return { already: true, status: snap.get("status") as string, deletedAt: snap.get("deletedAt").toDate() as Date, outputs: [] };
    const now = new Date();
    const by = caller.uid === snap.get("userId") ? `user:${caller.uid}` : `admin:${caller.uid}`;
    tx.update(ref, requestTombstone(now, by, snap.get("inputImage.sha256") ?? null));
    return { already: false, status: snap.get("status") as string, deletedAt: now, outputs: (snap.get("outputs") ?? []) as OutputPaths[] };
  });
  await Promise.all(committed.outputs.flatMap((o) => [o.path, o.thumbnailPath]).filter((p): p is string => !!p).map((p) => files.remove(p)));
  await finishFileDeletion(db, files, id);
  log.info("lifecycle.request_deleted", { requestId: id, by: caller.uid, alreadyDeleted: committed.already });
  return { id, status: committed.status, deletedAt: committed.deletedAt.toISOString(), alreadyDeleted: committed.already };
}

/** Deletes what a tombstoned request still owes: its output folder and, if unshared, its input. Idempotent. */
export async function finishFileDeletion(db: Firestore, files: ManagedStorage, id: string): Promise<void> {
  const ref = db.doc(`generationRequests/${id}`);
  const snap = await ref.get();
  if (snap.get("deletion.filesPending") !== true) return;
  const uid = snap.get("userId") as string;
  await files.removePrefix(requestOutputsPrefix(uid, id));
  const sha = snap.get("deletion.inputSha256") as string | null;
  const inputDeleted = sha ? await releaseInput(db, files, uid, sha, id) : false;
  await ref.update({ "deletion.filesPending": false, "deletion.filesDeletedAt": new Date(), "deletion.inputDeleted": inputDeleted });
}

/** The scheduled backstop: finishes deletions whose caller died between the tombstone and the files. */
export async function finishPendingDeletions(db: Firestore, files: ManagedStorage, limit: number): Promise<string[]> {
  const pending = await db.collection("generationRequests").where("deletion.filesPending", "==", true).limit(limit).get();
  for (const d of pending.docs) await finishFileDeletion(db, files, d.id);
  return pending.docs.map((d) => d.id);
}
