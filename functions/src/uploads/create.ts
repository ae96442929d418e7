// createUpload: a signed, expiring, single-use PUT URL for one image of a declared type and size.
// The file itself is checked when a create uses it (uploads/use.ts), not here. Each user has a
// per-minute window and a cap on unused uploads (limits.ts).
import type { Firestore } from "firebase-admin/firestore";
import { targetUser, type Caller } from "../auth/caller";
import { config } from "../config";
import { parseInput } from "../http/validate";
import { log } from "../shared/log";
import type { ObjectStorage } from "../storage/storage";
import { createUploadSchema } from "./schema";
import { createWithinLimits } from "./limits";
import { newUploadId, uploadObjectPath, uploadRef, type UploadDoc } from "./store";

export async function createUpload(db: Firestore, files: ObjectStorage, caller: Caller, body: unknown, now = new Date()) {
  const cfg = config();
  const input = parseInput(createUploadSchema(cfg), body);
  const uid = targetUser(caller, input.userId);
  const uploadId = newUploadId();
  const path = uploadObjectPath(uid, uploadId);
  const signed = await files.signedUploadUrl(path, { contentType: input.contentType, bytes: input.bytes, ttlSeconds: cfg.UPLOAD_URL_TTL_SECONDS }, now);
  const expiresAt = new Date(now.getTime() + cfg.UPLOAD_URL_TTL_SECONDS * 1000);
  const doc: UploadDoc = {
    userId: uid, purpose: input.purpose, contentType: input.contentType, bytes: input.bytes, path, status: "pending", usedBy: null, createdAt: now, urlExpiresAt: expiresAt,
  };
  await createWithinLimits(db, uploadRef(db, uploadId), doc, cfg, now);
  log.info("upload created", { uploadId, uid, purpose: input.purpose, bytes: input.bytes });
  return { uploadId, uploadUrl: signed.url, method: "PUT" as const, headers: signed.headers, expiresAt: expiresAt.toISOString() };
}
