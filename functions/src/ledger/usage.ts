// Per-user weekly counters for the reports, written in the same transaction as the money
// movement: one document per user and week, so no document is shared by all users.
import { FieldValue, type Firestore, type Transaction } from "firebase-admin/firestore";
import { isoWeekOf } from "../shared/isoWeek";

export interface UsageDelta {
  requests?: number;
  images?: number;
  creditsDebited?: number;
  creditsRefunded?: number;
}

export function usageDocPath(uid: string, when: Date): string {
  return `usageWeekly/${isoWeekOf(when)}_${uid}`;
}

export function addUsage(db: Firestore, tx: Transaction, uid: string, weekOf: Date, delta: UsageDelta, now: Date) {
  const inc: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(delta)) if (v) inc[k] = FieldValue.increment(v);
  tx.set(db.doc(usageDocPath(uid, weekOf)), { uid, week: isoWeekOf(weekOf), ...inc, updatedAt: now }, { merge: true });
}
