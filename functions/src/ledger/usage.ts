// Per-user weekly counters for the reports, written in the same transaction (or, for creates, the
// same batch) as the money movement: one document per user and week, so no document is shared by
// all users. Increments need no precondition: concurrent commits add up.
import { FieldValue, type DocumentReference, type Firestore, type SetOptions } from "firebase-admin/firestore";
import { isoWeekOf } from "../shared/isoWeek";

/** A transaction or a write batch: either can carry the counter in the same commit. */
export interface MergeWriter {
  set(ref: DocumentReference, data: Record<string, unknown>, options: SetOptions): unknown;
}

export interface UsageDelta {
  requests?: number;
  images?: number;
  creditsDebited?: number;
  creditsRefunded?: number;
}

export function usageDocPath(uid: string, when: Date): string {
  return `usageWeekly/${isoWeekOf(when)}_${uid}`;
}

export function addUsage(db: Firestore, tx: MergeWriter, uid: string, weekOf: Date, delta: UsageDelta, now: Date) {
  const inc: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(delta)) if (v) inc[k] = FieldValue.increment(v);
  tx.set(db.doc(usageDocPath(uid, weekOf)), { uid, week: isoWeekOf(weekOf), ...inc, updatedAt: now }, { merge: true });
}
