// Uploads are short-lived: a day after creation the document and the object go, used or not (a
// used upload's bytes live on in the copy its user made: training photos, input images). One
// bounded batch per run, oldest first; a run that stops half-way leaves the rest for the next.
import type { Firestore } from "firebase-admin/firestore";
import { errorFields, log } from "../shared/log";
import type { ObjectStorage } from "../storage/storage";
import { UPLOADS } from "./store";

export async function deleteStaleUploads(db: Firestore, files: ObjectStorage, opts: { olderThan: Date; limit: number }): Promise<{ deleted: number; errors: number }> {
  const stale = await db.collection(UPLOADS).where("createdAt", "<", opts.olderThan).orderBy("createdAt").limit(opts.limit).get();
  let deleted = 0;
  let errors = 0;
  for (const doc of stale.docs) {
    try {
      // Object first: a document without an object is harmless, an object without one is an orphan.
      await files.remove(doc.get("path"));
      await doc.ref.delete();
      deleted++;
    } catch (err) {
      errors++;
      log.warn("upload cleanup failed", { uploadId: doc.id, ...errorFields(err) });
    }
  }
  log.info("upload cleanup", { deleted, errors, more: stale.size === opts.limit });
  return { deleted, errors };
}
