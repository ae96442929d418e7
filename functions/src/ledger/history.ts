import type { Firestore } from "firebase-admin/firestore";
import { pageOf, type PageQuery } from "../shared/cursor";

export async function creditHistory(db: Firestore, uid: string, opts: PageQuery) {
  const [user, page] = await Promise.all([db.doc(`users/${uid}`).get(), pageOf(db.collection(`users/${uid}/ledger`), "createdAt", opts)]);
  return {
    currentCredits: (user.get("credits") as number | undefined) ?? 0,
    transactions: page.docs.map(ledgerEntryView),
    nextCursor: page.nextCursor,
  };
}

/** One entry as clients see it (getUserCredits, exportUserData). */
export function ledgerEntryView(d: FirebaseFirestore.DocumentSnapshot) {
  return {
    id: d.id,
    type: d.get("type"),
    amount: d.get("amount"),
    balanceAfter: d.get("balanceAfter"),
    requestId: d.get("requestId") ?? null,
    reason: d.get("reason"),
    createdAt: d.get("createdAt").toDate().toISOString(),
  };
}
