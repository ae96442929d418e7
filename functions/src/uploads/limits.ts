// Limits on createUpload, per user: a per-minute window and a cap on uploads held unused. Each
// upload parks up to MAX_UPLOAD_BYTES for a day (UPLOAD_MAX_AGE_SECONDS), and signing one costs
// nothing, so without them any signed-in account, 0 credits included, could fill the bucket.
// The check and the upload document are one transaction that also writes the user's
// `uploadWindow`, so concurrent calls serialise on the user document and the count is exact.
import type { DocumentReference, Firestore } from "firebase-admin/firestore";
import type { Config } from "../config";
import { ApiError } from "../http/errors";
import { admitCreate, rateLimited, type CreateWindow } from "../requests/rateLimit";
import { runMoneyTransaction } from "../shared/transaction";
import { UPLOADS, type UploadDoc } from "./store";

type Limits = Pick<Config, "MAX_OUTSTANDING_UPLOADS" | "MAX_UPLOADS_PER_MINUTE" | "UPLOAD_MAX_AGE_SECONDS">;

/** Pure: the next window, or why this upload is refused (the window first: it is the cheaper wait). */
export function admitUpload(window: CreateWindow | undefined, outstanding: number, nowMs: number, limits: Limits): { next: CreateWindow } | { refusal: "rate"; retryAfterSeconds: number } | { refusal: "outstanding" } {
  const rate = admitCreate(window, nowMs, limits.MAX_UPLOADS_PER_MINUTE);
  if (!rate.allowed) return { refusal: "rate", retryAfterSeconds: rate.retryAfterSeconds };
  if (outstanding >= limits.MAX_OUTSTANDING_UPLOADS) return { refusal: "outstanding" };
  return { next: rate.next };
}

/** Creates the upload document if the user's limits allow it, else throws 429. */
export async function createWithinLimits(db: Firestore, ref: DocumentReference, doc: UploadDoc, limits: Limits, now: Date): Promise<void> {
  const pending = db.collection(UPLOADS).where("userId", "==", doc.userId).where("status", "==", "pending").where("createdAt", ">", new Date(now.getTime() - limits.UPLOAD_MAX_AGE_SECONDS * 1000));
  await runMoneyTransaction(db, async (tx) => {
    const userRef = db.doc(`users/${doc.userId}`);
    const [user, count] = await Promise.all([tx.get(userRef), tx.get(pending.count())]);
    const decision = admitUpload(user.get("uploadWindow"), count.data().count, now.getTime(), limits);
    if ("refusal" in decision) {
      if (decision.refusal === "rate") throw rateLimited(limits.MAX_UPLOADS_PER_MINUTE, decision.retryAfterSeconds);
      throw await tooManyOutstanding(pending, limits, now);
    }
    tx.set(userRef, { uploadWindow: decision.next }, { merge: true });
    tx.create(ref, doc);
  });
}

/** Retry-After: until the oldest unused upload expires and frees a place. */
async function tooManyOutstanding(pending: FirebaseFirestore.Query, limits: Limits, now: Date): Promise<ApiError> {
  const oldest = (await pending.orderBy("createdAt").limit(1).get()).docs[0]?.get("createdAt") as FirebaseFirestore.Timestamp | undefined;
  const retryAfterSeconds = Math.max(1, Math.ceil(((oldest?.toMillis() ?? now.getTime()) + limits.UPLOAD_MAX_AGE_SECONDS * 1000 - now.getTime()) / 1000));
  return new ApiError("QUOTA_EXCEEDED", `${limits.MAX_OUTSTANDING_UPLOADS} uploads are waiting to be used, the most one account may hold; use them, or wait for the oldest to expire (in ${retryAfterSeconds} s)`, { retryAfterSeconds, maxOutstandingUploads: limits.MAX_OUTSTANDING_UPLOADS });
}
