// One webhook signing secret per user, in `users/{uid}/private/webhook` (no client access under
// firestore.rules). Created on first use, by the first delivery or the owner reading it.
// Rotation keeps the previous secret valid for WEBHOOK_SECRET_OVERLAP_SECONDS (default 24 h):
// meanwhile every delivery carries a signature by each, so receivers can switch at their pace.
import { randomBytes } from "node:crypto";
import type { Firestore } from "firebase-admin/firestore";
import { runMoneyTransaction } from "../shared/transaction";

export interface WebhookSecret {
  secret: string;
  createdAt: Date;
  rotatedAt: Date | null;
  /** The secret before the last rotation, still signed with until `expiresAt`. */
  previous: { secret: string; expiresAt: Date } | null;
}

const newSecret = () => `whsec_${randomBytes(32).toString("base64url")}`;
const ref = (db: Firestore, uid: string) => db.doc(`users/${uid}/private/webhook`);
const toDate = (t: any): Date | null => (t == null ? null : typeof t.toDate === "function" ? t.toDate() : t);

/** The user's secret, created in a transaction so two first uses agree on one value. */
export async function webhookSecret(db: Firestore, uid: string): Promise<WebhookSecret> {
  const existing = await ref(db, uid).get();
  if (existing.exists) return fromDoc(existing.data()!);
  return runMoneyTransaction(db, async (tx) => {
    const snap = await tx.get(ref(db, uid));
    if (snap.exists) return fromDoc(snap.data()!);
    const created = { secret: newSecret(), createdAt: new Date(), rotatedAt: null, previous: null };
    tx.create(snap.ref, created);
    return created;
  });
}

/** Every secret a delivery made now is signed with: the current one, then the previous while it overlaps. */
export function signingSecrets(s: WebhookSecret, now: Date): string[] {
  return s.previous && s.previous.expiresAt > now ? [s.secret, s.previous.secret] : [s.secret];
}

/** A new secret at once; the old one keeps signing (alongside) for `overlapSeconds`. */
export async function rotateWebhookSecret(db: Firestore, uid: string, overlapSeconds: number): Promise<WebhookSecret> {
  return runMoneyTransaction(db, async (tx) => {
    const now = new Date();
    const snap = await tx.get(ref(db, uid));
    const current = snap.exists ? fromDoc(snap.data()!) : null;
    const next: WebhookSecret = {
      secret: newSecret(),
      createdAt: current?.createdAt ?? now,
      rotatedAt: now,
      previous: current && overlapSeconds > 0 ? { secret: current.secret, expiresAt: new Date(now.getTime() + overlapSeconds * 1000) } : null,
    };
    tx.set(snap.ref, next);
    return next;
  });
}

function fromDoc(d: FirebaseFirestore.DocumentData): WebhookSecret {
  const previous = d.previous ? { secret: d.previous.secret as string, expiresAt: toDate(d.previous.expiresAt)! } : null;
  return { secret: d.secret, createdAt: toDate(d.createdAt)!, rotatedAt: toDate(d.rotatedAt), previous };
}
