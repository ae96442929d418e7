import type { Firestore } from "firebase-admin/firestore";
import { pageOf, type PageQuery } from "../shared/cursor";
import { planOf } from "../billing/userPlan";
import { spendOrder, walletOf } from "./grants/wallet";
import { walletPath, type WalletRef } from "./walletRef";
import { heldCredits } from "./holds/store";

/** A wallet's balance and ledger page: a user's or an organisation's, the same answer. */
export async function creditHistory(db: Firestore, ref: WalletRef, opts: PageQuery) {
  const [user, page, held] = await Promise.all([db.doc(walletPath(ref)).get(), pageOf(db.collection(`${walletPath(ref)}/ledger`), "createdAt", opts), heldCredits(db, ref)]);
  const wallet = walletOf(user.data());
  const plan = planOf(user.data());
  const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());
  return {
    // What the wallet's escrow holds have not spent is still the owner's (ledger/holds).
    currentCredits: ((user.get("credits") as number | undefined) ?? 0) + held,
    grants: [...wallet.grants].sort(spendOrder).map((g) => ({ id: g.id, source: g.source, remaining: g.remaining, expiresAt: iso(g.expiresAtMs) })),
    debt: wallet.debt,
    creditLimit: wallet.creditLimit,
    plan: { id: plan.id, status: plan.status, periodEnd: plan.periodEnd?.toISOString() ?? null },
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
