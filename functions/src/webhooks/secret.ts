// One webhook signing secret per user, in `users/{uid}/private/webhook` (no client access under
// firestore.rules). Created on first use, by the first delivery or the owner reading it.
import { randomBytes } from "node:crypto";
import type { Firestore } from "firebase-admin/firestore";

export interface WebhookSecret {
  secret: string;
  createdAt: Date;
  rotatedAt: Date | null;
}

const newSecret = () => `whsec_${randomBytes(32).toString("base64url")}`;
const ref = (db: Firestore, uid: string) => db.doc(`users/${uid}/private/webhook`);
const toDate = (t: any): Date | null => (t == null ? null : typeof t.toDate === "function" ? t.toDate() : t);

/** The user's secret, created in a transaction so two first uses agree on one value. */
export async function webhookSecret(db: Firestore, uid: string): Promise<WebhookSecret> {
  const existing = await ref(db, uid).get();
  if (existing.exists) return fromDoc(existing.data()!);
  return db.runTransaction(async (tx) => {
    const snap = await tx.get(ref(db, uid));
    if (snap.exists) return fromDoc(snap.data()!);
    const created = { secret: newSecret(), createdAt: new Date(), rotatedAt: null };
    tx.create(snap.ref, created);
    return created;
  });
}

/** Replaces the secret at once; deliveries signed after this use the new one. */
export async function rotateWebhookSecret(db: Firestore, uid: string): Promise<WebhookSecret> {
  const now = new Date();
  const current = await ref(db, uid).get();
  const next = { secret: newSecret(), createdAt: toDate(current.get("createdAt")) ?? now, rotatedAt: now };
  await ref(db, uid).set(next);
  return next;
}

function fromDoc(d: FirebaseFirestore.DocumentData): WebhookSecret {
  return { secret: d.secret, createdAt: toDate(d.createdAt)!, rotatedAt: toDate(d.rotatedAt) };
}
