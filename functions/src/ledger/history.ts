import type { Firestore } from "firebase-admin/firestore";
import { decodeCursor, encodeCursor } from "../shared/cursor";

export async function creditHistory(db: Firestore, uid: string, opts: { limit: number; cursor?: string }) {
  let q = db.collection(`users/${uid}/ledger`).orderBy("createdAt", "desc").orderBy("__name__", "desc");
  if (opts.cursor) {
    const c = decodeCursor(opts.cursor);
    q = q.startAfter(c.createdAt, c.id);
  }
  const [user, snap] = await Promise.all([db.doc(`users/${uid}`).get(), q.limit(opts.limit + 1).get()]);
  const docs = snap.docs.slice(0, opts.limit);
  const last = docs[docs.length - 1];
  return {
    currentCredits: (user.get("credits") as number | undefined) ?? 0,
    transactions: docs.map((d) => ({
      id: d.id,
      type: d.get("type"),
      amount: d.get("amount"),
      balanceAfter: d.get("balanceAfter"),
      requestId: d.get("requestId") ?? null,
      reason: d.get("reason"),
      createdAt: d.get("createdAt").toDate().toISOString(),
    })),
    nextCursor: snap.docs.length > opts.limit && last ? encodeCursor(last.get("createdAt"), last.id) : null,
  };
}
