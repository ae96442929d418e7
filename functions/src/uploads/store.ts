// Upload documents (`uploads/{uploadId}`) and their objects (`uploads/{uid}/{uploadId}`, no
// extension). An upload is checked when it is used, never trusted: whatever the client PUT is
// decoded by the feature that uses it (uploads/use.ts).
import { randomBytes } from "node:crypto";
import type { DocumentSnapshot, Firestore } from "firebase-admin/firestore";
import type { UploadPurpose } from "./schema";

export const UPLOADS = "uploads";
export const newUploadId = () => `up_${randomBytes(12).toString("hex")}`;
export const uploadObjectPath = (uid: string, uploadId: string) => `uploads/${uid}/${uploadId}`;

export interface UploadDoc {
  userId: string;
  purpose: UploadPurpose;
  contentType: string;
  bytes: number;
  path: string;
  /** `used` once a custom model took it (training uploads are used once; input images may be reused). */
  status: "pending" | "used";
  usedBy: string | null;
  createdAt: Date;
  urlExpiresAt: Date;
}

export const uploadRef = (db: Firestore, uploadId: string) => db.doc(`${UPLOADS}/${uploadId}`);

/** Why an upload may not be used by `uid` for `purpose` now, or null when it may. Pure. */
export function uploadRefusal(snap: Pick<DocumentSnapshot, "exists" | "get">, uid: string, purpose: UploadPurpose, nowMs: number, maxAgeMs: number, usableBy?: string): string | null {
  // Someone else's upload reads exactly like a missing one: ids leak nothing.
  if (!snap.exists || snap.get("userId") !== uid) return "upload not found";
  if (snap.get("purpose") !== purpose) return `upload is for '${snap.get("purpose")}', not '${purpose}'`;
  const created = snap.get("createdAt");
  const createdMs = typeof created?.toMillis === "function" ? created.toMillis() : new Date(created).getTime();
  if (nowMs - createdMs > maxAgeMs) return "upload expired (uploads must be used within a day)";
  if (snap.get("status") === "used" && snap.get("usedBy") !== usableBy) return "upload was already used";
  return null;
}
