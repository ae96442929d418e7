// Which users a scheduled money sweep (plan renewals, grant expiry) works on: those whose `field`
// (a time) has come, soonest first, at most `batchLimit`. Production sweeps every user; a test
// names its own users (`userIds`), so a sweep in one test file never moves another file's money
// when jest runs files in parallel.
import type { DocumentSnapshot, Firestore, Timestamp } from "firebase-admin/firestore";

export interface SweepScope {
  userIds?: readonly string[];
}

export async function dueUsers(db: Firestore, field: string, now: Date, batchLimit: number, scope: SweepScope = {}): Promise<DocumentSnapshot[]> {
  if (!scope.userIds) return (await db.collection("users").where(field, "<=", now).orderBy(field).limit(batchLimit).get()).docs;
  if (!scope.userIds.length) return [];
  const snaps = await db.getAll(...scope.userIds.map((uid) => db.doc(`users/${uid}`)));
  const at = (s: DocumentSnapshot) => (s.get(field) as Timestamp | null | undefined)?.toMillis() ?? Infinity;
  return snaps.filter((s) => at(s) <= now.getTime()).sort((a, b) => at(a) - at(b)).slice(0, batchLimit);
}
