// Refunding a charge, whatever was charged (a generation request, a training job): the refund
// entry gives the debit entry's draws back to the grants they came from, in the caller's
// transaction, at most once (the refund entry's id is deterministic). The caller decides whether
// the charge is owed a refund and updates its own document; this writes the money.
import type { DocumentSnapshot, Firestore, Transaction } from "firebase-admin/firestore";
import { refundTargets, type GrantInfo } from "./allocate";
import { WalletSession } from "./session";
import { DEBT, walletOf, walletFields, type Draw } from "./wallet";
import { writeSession } from "./write";
import { grantDocPath, ledgerEntryPath, walletPath, type WalletRef } from "../walletRef";

export interface ChargeRef {
  wallet: WalletRef;
  debitEntryId: string;
  refundEntryId: string;
}

export interface ChargeReads {
  ref: ChargeRef;
  /** The wallet's document (a user's or an organisation's). */
  user: DocumentSnapshot;
  debitEntry: DocumentSnapshot;
  refundEntry: DocumentSnapshot;
  /** Stored facts of the drawn grants (to revive one spent to zero, or forfeit an expired one). */
  grantInfo: Map<string, GrantInfo>;
}

const msOf = (v: unknown) => (v == null ? null : (v as { toMillis(): number }).toMillis());

/** All reads a refund needs (the wallet, both entries, the few grants it may revive); before any write. */
export async function readChargeRefund(db: Firestore, tx: Transaction, ref: ChargeRef): Promise<ChargeReads> {
  const [user, debitEntry, refundEntry] = await Promise.all([
    tx.get(db.doc(walletPath(ref.wallet))),
    tx.get(db.doc(ledgerEntryPath(ref.wallet, ref.debitEntryId))),
    tx.get(db.doc(ledgerEntryPath(ref.wallet, ref.refundEntryId))),
  ]);
  // Every drawn grant (a few documents): one in the wallet may expire lazily in this very refund;
  // and the grants their clawback shortfalls took from, which the refund may give back to.
  const missing = refundTargets(walletOf(user.data()), drawsOf(debitEntry, 0).map((d) => d.grantId));
  const snaps = await Promise.all(missing.map((id) => tx.get(db.doc(grantDocPath(ref.wallet, id)))));
  const grantInfo = new Map<string, GrantInfo>();
  for (const s of snaps) {
    if (s.exists) grantInfo.set(s.id, { source: s.get("source"), expiresAtMs: msOf(s.get("expiresAt")), createdAtMs: msOf(s.get("createdAt")) ?? 0 });
  }
  return { ref, user, debitEntry, refundEntry, grantInfo };
}

/**
 * What the debit drew. A debit written before grants existed (or a charge without an entry)
 * recorded no draws: its refund cancels debt first and otherwise comes back as a fresh grant.
 */
export function drawsOf(debitEntry: DocumentSnapshot, cost: number): Draw[] {
  const draws = debitEntry.exists ? (debitEntry.get("draws") as Draw[] | undefined) : undefined;
  if (draws) return draws;
  const amount = debitEntry.exists ? -(debitEntry.get("amount") as number) : cost;
  return amount > 0 ? [{ grantId: DEBT, amount }] : [];
}

export interface RefundWritten {
  /** Credits that came back (less than the cost when a drawn grant has expired since). */
  credited: number;
  forfeited: number;
  balanceAfter: number;
}

/** Writes the refund entry, the grant counters and the wallet. */
export function writeChargeRefund(db: Firestore, tx: Transaction, reads: ChargeReads, opts: { cost: number; fields: Record<string, unknown>; now: Date }): RefundWritten {
  const session = new WalletSession(walletOf(reads.user.data()), opts.now.getTime());
  const plan = session.refund(reads.ref.refundEntryId, drawsOf(reads.debitEntry, opts.cost), reads.grantInfo, opts.fields);
  writeSession(db, tx, reads.ref.wallet, session, opts.now);
  tx.set(reads.user.ref, { ...walletFields(session.wallet), updatedAt: opts.now }, { merge: true });
  return { credited: plan.amount, forfeited: plan.forfeited.reduce((s, d) => s + d.amount, 0), balanceAfter: session.credits };
}
