// Reading an upload for use: the document must allow it (store.ts) and the object must exist;
// the bytes then go through the same image checks as inline data URLs.
import type { Firestore } from "firebase-admin/firestore";
import { config } from "../config";
import { invalidArgument } from "../http/errors";
import type { ObjectStorage } from "../storage/storage";
import type { UploadPurpose } from "./schema";
import { uploadRef, uploadRefusal } from "./store";

export interface UploadBytes {
  uploadId: string;
  bytes: Buffer;
}

/** The upload's bytes, or a reason it cannot be used (never thrown, so callers can name every bad one). */
export async function readUpload(db: Firestore, files: ObjectStorage, uid: string, uploadId: string, purpose: UploadPurpose, usableBy?: string, now = Date.now()): Promise<UploadBytes | { refused: string }> {
  const snap = await uploadRef(db, uploadId).get();
  const refusal = uploadRefusal(snap, uid, purpose, now, config().UPLOAD_MAX_AGE_SECONDS * 1000, usableBy);
  if (refusal) return { refused: refusal };
  const bytes = await files.read(snap.get("path"));
  if (!bytes) return { refused: "nothing was uploaded to this upload's URL" };
  return { uploadId, bytes };
}

/** For single-image use (inputImageUploadId): the bytes or a 400 naming the field. */
export async function uploadBytesOrThrow(db: Firestore, files: ObjectStorage, uid: string, uploadId: string, purpose: UploadPurpose, field: string): Promise<Buffer> {
  const r = await readUpload(db, files, uid, uploadId, purpose);
  if ("refused" in r) throw invalidArgument(field, `'${uploadId}': ${r.refused}`);
  return r.bytes;
}
