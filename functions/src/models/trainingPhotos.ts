// Training photos are the most sensitive data here (personal faces), and nothing needs them once
// training has ended: they go when a model becomes ready, failed or cancelled, or
// TRAINING_PHOTO_RETENTION_HOURS later for operators who need a window (default 0: at once).
// The model document says when they are due (`photosDueAt`, written first, so a failed delete is
// finished by the scheduled purge) and when they went (`photosDeletedAt`). A photo another model
// of the same user still trains on is kept (photos may be stored by content).
import { FieldValue, type DocumentSnapshot, type Firestore, type Timestamp } from "firebase-admin/firestore";
import type { ObjectStorage } from "../storage/storage";
import { log } from "../shared/log";

const TRAINING_ENDED = new Set(["ready", "failed", "cancelled"]);
const STILL_TRAINING = ["queued", "training"];

const photoPaths = (model: DocumentSnapshot) => ((model.get("train.photos") ?? []) as Array<{ path?: string }>).flatMap((p) => (p.path ? [p.path] : []));

/**
 * From the model trigger: once training has ended, the photos are due now plus the window (the
 * first due time recorded stands), and deleted at once when that is now.
 */
export async function photosOnUpdate(db: Firestore, files: ObjectStorage, after: DocumentSnapshot, retentionHours: number, now = new Date()): Promise<void> {
  if (!TRAINING_ENDED.has(after.get("status")) || after.get("photosDeletedAt")) return;
  // The event's snapshot may be older than the deletion another delivery already recorded: decide on the document as it is.
  const due = await db.runTransaction(async (tx) => {
    const model = await tx.get(after.ref);
    if (!TRAINING_ENDED.has(model.get("status")) || model.get("photosDeletedAt")) return null;
    const recorded = (model.get("photosDueAt") as Timestamp | undefined)?.toDate();
    if (recorded) return recorded;
    const at = new Date(now.getTime() + retentionHours * 3_600_000);
    tx.update(after.ref, { photosDueAt: at });
    return at;
  });
  if (due && due.getTime() <= now.getTime()) await deleteTrainingPhotos(db, files, await after.ref.get(), now);
}

/** Deletes one model's photos (those no other model of the user still trains on) and records it. */
export async function deleteTrainingPhotos(db: Firestore, files: ObjectStorage, model: DocumentSnapshot, now = new Date()): Promise<number> {
  if (!model.exists) return 0;
  if (model.get("photosDeletedAt")) {
    // Done already; a due time written since (by a stale delivery) must not keep it in the purge's query.
    if (model.get("photosDueAt")) await model.ref.update({ photosDueAt: FieldValue.delete() });
    return 0;
  }
  const uid = model.get("userId") as string;
  const others = await db.collection("customModels").where("userId", "==", uid).where("status", "in", STILL_TRAINING).get();
  const held = new Set(others.docs.filter((d) => d.id !== model.id).flatMap(photoPaths));
  const due = photoPaths(model).filter((p) => !held.has(p));
  await Promise.all(due.map((p) => files.remove(p)));
  await model.ref.update({ photosDeletedAt: now, photosDueAt: FieldValue.delete() });
  log.info("models.training_photos_deleted", { customModelId: model.id, uid, deleted: due.length, keptForOtherModels: photoPaths(model).length - due.length });
  return due.length;
}

/** The scheduled pass: every model whose photos are due, a batch at a time (each one leaves the query when done). */
export async function purgeTrainingPhotos(o: { db: Firestore; files: ObjectStorage; now: Date; batchLimit: number; maxBatches: number }): Promise<string[]> {
  const purged: string[] = [];
  for (let n = 0; n < o.maxBatches; n++) {
    const page = await o.db.collection("customModels").where("photosDueAt", "<=", o.now).orderBy("photosDueAt").limit(o.batchLimit).get();
    for (const d of page.docs) {
      await deleteTrainingPhotos(o.db, o.files, d, o.now);
      purged.push(d.id);
    }
    if (page.docs.length < o.batchLimit) break;
  }
  return purged;
}
