// A group commit that spends from the instance's hold instead of the wallet: the create plan
// (requests/commitPlan.ts) runs unchanged against the hold seen as a wallet, so every item is
// checked exactly as on the direct path, and the commit writes the debit entries (each naming the
// grants its credits came from, and the hold) and the hold document, guarded by its update time.
// The wallet document is read for its refusals (a dispute, an erasure, the plan's rate) but not
// written: that is the point.
import type { DocumentReference, DocumentSnapshot, Firestore, Precondition } from "firebase-admin/firestore";
import type { WalletSession } from "../grants/session";
import type { Wallet } from "../grants/wallet";
import { ledgerEntryPath, type WalletRef } from "../walletRef";
import { unspentOf, type Hold } from "./hold";
import { holdFields } from "./store";

/**
 * The hold as a wallet the plan spends from: its draws, in order, as grants that never expire
 * (their expiry was dealt with when they were held; see docs/hot-accounts.md), no credit limit,
 * no debt. A dispute on the real wallet still refuses.
 */
export function walletOfHold(hold: Hold, wallet: Wallet): Wallet {
  return {
    grants: hold.draws.map((d, i) => ({ id: d.grantId, source: "admin", remaining: d.amount, expiresAtMs: null, createdAtMs: i })),
    debt: 0, creditLimit: 0, debtBlocks: false, frozen: wallet.frozen, legacy: null, shortfalls: [],
  };
}

/**
 * Whether this commit may spend `need` from the hold as read: open, not about to expire, enough
 * left, and the wallet not blocked by debt (a clawback recalls holds, so that is transient; the
 * direct path gives the debt answer).
 */
export function holdUsable(hold: Hold, wallet: Wallet, need: number, nowMs: number, marginMs: number): boolean {
  return hold.state === "open" && nowMs < hold.expiresAtMs - marginMs && unspentOf(hold) >= need && !(wallet.debtBlocks && wallet.debt > 0);
}

/** The hold once the session's debits are taken from it. */
export function holdAfter(hold: Hold, session: WalletSession): Hold {
  const draws = [...session.wallet.grants].sort((a, b) => a.createdAtMs - b.createdAtMs).filter((g) => g.remaining > 0).map((g) => ({ grantId: g.id, amount: g.remaining }));
  return { ...hold, draws, spent: hold.reserved - unspentOf({ draws }) };
}

/**
 * Writes the spend: each debit entry (create(), as on the direct path, so a job is charged once)
 * with the hold named and its balanceAfter the hold's, and the hold document, only if nobody
 * (the sweeper, a clawback's recall) wrote it since it was read.
 */
export interface SpendWriter {
  create(ref: DocumentReference, data: Record<string, unknown>): unknown;
  update(ref: DocumentReference, data: Record<string, unknown>, precondition: Precondition): unknown;
}

export function writeHoldSpend(db: Firestore, batch: SpendWriter, wallet: WalletRef, holdSnap: Pick<DocumentSnapshot, "ref" | "updateTime">, after: Hold, session: WalletSession, now: Date): void {
  for (const e of session.entries) batch.create(db.doc(ledgerEntryPath(wallet, e.id)), { ...e.data, holdId: after.id, createdAt: now });
  batch.update(holdSnap.ref, { ...holdFields(after), updatedAt: now }, { lastUpdateTime: holdSnap.updateTime! });
}
