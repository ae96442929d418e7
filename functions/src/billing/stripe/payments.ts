// Pack purchases and what happens to their payments afterwards (refunds, disputes). Each business
// fact lands once whatever event carries it and however often: the grant's id names the Checkout
// Session, a clawback's names the charge and the cumulative refunded amount, a dispute's names the
// dispute. A payment document (`stripePayments/{paymentIntentId}`) ties a payment to its grant, and
// also remembers a refund or dispute that arrived before the grant, so the grant applies it.
import type { DocumentSnapshot, Firestore, Transaction } from "firebase-admin/firestore";
import { FieldValue } from "firebase-admin/firestore";
import { runMoneyTransaction } from "../../shared/transaction";
import { WalletSession } from "../../ledger/grants/session";
import { walletFields, walletOf } from "../../ledger/grants/wallet";
import { writeSession } from "../../ledger/grants/write";
import type { PackDef } from "../catalog";

const DAY = 86_400_000;
const paymentRef = (db: Firestore, pi: string) => db.doc(`stripePayments/${pi}`);

interface PaymentDoc {
  uid?: string;
  grantId?: string;
  credits?: number;
  /** The charge's amount in the currency's minor unit (for refund shares). */
  amount?: number;
  clawedBack?: number;
  pendingRefund?: { chargeId: string; amount: number; amountRefunded: number };
  disputes?: Record<string, { credits: number; status: "open" | "won" | "lost" }>;
}

/** The share of a grant that `amountRefunded` of `amount` takes back (rounded down: the customer's favour). */
export const refundShare = (credits: number, amountRefunded: number, amount: number) => Math.floor((credits * amountRefunded) / amount);

export async function fulfilPack(db: Firestore, f: { uid: string; pack: PackDef; sessionId: string; paymentIntent: string | null; amount: number | null }, now = new Date()) {
  const grantId = `pack-${f.sessionId}`;
  return runMoneyTransaction(db, async (tx) => {
    const user = await tx.get(db.doc(`users/${f.uid}`));
    const [entry, payment] = await Promise.all([tx.get(db.doc(`users/${f.uid}/ledger/${grantId}`)), f.paymentIntent ? tx.get(paymentRef(db, f.paymentIntent)) : null]);
    if (entry.exists) return { granted: 0, replayed: true };
    const session = new WalletSession(walletOf(user.data()), now.getTime(), "system:stripe");
    const expiresAtMs = f.pack.expiresAfterDays ? now.getTime() + f.pack.expiresAfterDays * DAY : null;
    session.grant({ id: grantId, source: "pack", amount: f.pack.credits, expiresAtMs, origin: { packId: f.pack.id, checkoutSession: f.sessionId, paymentIntent: f.paymentIntent } }, { reason: `pack ${f.pack.id}`, actor: "system:stripe" });
    const doc: PaymentDoc = { uid: f.uid, grantId, credits: f.pack.credits, ...(f.amount ? { amount: f.amount } : {}) };
    // A refund that arrived first is applied now, as it would have been.
    const pending = (payment?.data() as PaymentDoc | undefined)?.pendingRefund;
    if (pending) {
      doc.clawedBack = refundShare(f.pack.credits, pending.amountRefunded, pending.amount);
      if (doc.clawedBack > 0) session.clawback(`clawback-${pending.chargeId}-${pending.amountRefunded}`, grantId, doc.clawedBack, { reason: "payment refunded", actor: "system:stripe" });
    }
    writeSession(db, tx, f.uid, session, now);
    tx.set(user.ref, { ...walletFields(session.wallet), updatedAt: now, ...(user.exists ? {} : { createdAt: now, role: "user" }) }, { merge: true });
    if (f.paymentIntent) tx.set(paymentRef(db, f.paymentIntent), { ...doc, pendingRefund: FieldValue.delete(), updatedAt: now }, { merge: true });
    return { granted: f.pack.credits, replayed: false };
  });
}

type Outcome = { done: string } | { unknown: string };

/** charge.refunded: `amount_refunded` is cumulative, so the clawback is the difference to what was taken already. */
export async function clawbackRefund(db: Firestore, c: { chargeId: string; paymentIntent: string; amount: number; amountRefunded: number }, now = new Date()): Promise<Outcome> {
  return runMoneyTransaction(db, async (tx) => {
    const payment = await tx.get(paymentRef(db, c.paymentIntent));
    const p = payment.data() as PaymentDoc | undefined;
    if (!p?.grantId || !p.uid) {
      tx.set(payment.ref, { pendingRefund: { chargeId: c.chargeId, amount: c.amount, amountRefunded: c.amountRefunded }, updatedAt: now }, { merge: true });
      return { done: "refund recorded before its grant" };
    }
    const target = refundShare(p.credits ?? 0, c.amountRefunded, c.amount);
    const delta = target - (p.clawedBack ?? 0);
    if (delta <= 0) return { done: "already clawed back" };
    const user = await tx.get(db.doc(`users/${p.uid}`));
    applyClawback(db, tx, user, `clawback-${c.chargeId}-${c.amountRefunded}`, p.grantId, delta, "payment refunded", now);
    tx.set(payment.ref, { clawedBack: target, updatedAt: now }, { merge: true });
    return { done: `clawed back ${delta}` };
  });
}

/** A dispute opens: what the payment granted (less earlier clawbacks) is taken back and paid creates pause. */
export async function openDispute(db: Firestore, d: { disputeId: string; paymentIntent: string }, now = new Date()): Promise<Outcome> {
  return runMoneyTransaction(db, async (tx) => {
    const payment = await tx.get(paymentRef(db, d.paymentIntent));
    const p = payment.data() as PaymentDoc | undefined;
    if (!p?.grantId || !p.uid) return { unknown: `payment ${d.paymentIntent}` };
    if (p.disputes?.[d.disputeId]) return { done: "dispute already open" };
    const credits = (p.credits ?? 0) - (p.clawedBack ?? 0);
    const user = await tx.get(db.doc(`users/${p.uid}`));
    applyClawback(db, tx, user, `dispute-${d.disputeId}`, p.grantId, credits, "payment disputed", now, { openDisputes: FieldValue.arrayUnion(d.disputeId) });
    tx.set(payment.ref, { disputes: { [d.disputeId]: { credits, status: "open" } }, updatedAt: now }, { merge: true });
    return { done: `disputed ${credits}` };
  });
}

/** A dispute closes: won gives back exactly what was taken (as a grant of the same source); lost keeps it. Either way creates resume. */
export async function closeDispute(db: Firestore, d: { disputeId: string; paymentIntent: string; won: boolean }, now = new Date()): Promise<Outcome> {
  return runMoneyTransaction(db, async (tx) => {
    const payment = await tx.get(paymentRef(db, d.paymentIntent));
    const p = payment.data() as PaymentDoc | undefined;
    const open = p?.disputes?.[d.disputeId];
    if (!p?.uid || !open) return { unknown: `dispute ${d.disputeId}` };
    if (open.status !== "open") return { done: "dispute already closed" };
    const user = await tx.get(db.doc(`users/${p.uid}`));
    const session = new WalletSession(walletOf(user.data()), now.getTime(), "system:stripe");
    if (d.won && open.credits > 0) {
      session.grant({ id: `reinstate-${d.disputeId}`, source: "pack", amount: open.credits, expiresAtMs: null, origin: { dispute: d.disputeId } }, { reason: "dispute won", actor: "system:stripe" });
    }
    writeSession(db, tx, p.uid, session, now);
    tx.set(user.ref, { ...walletFields(session.wallet), openDisputes: FieldValue.arrayRemove(d.disputeId), updatedAt: now }, { merge: true });
    tx.set(payment.ref, { disputes: { [d.disputeId]: { credits: open.credits, status: d.won ? "won" : "lost" } }, updatedAt: now }, { merge: true });
    return { done: d.won ? `reinstated ${open.credits}` : "dispute lost" };
  });
}

function applyClawback(db: Firestore, tx: Transaction, user: DocumentSnapshot, entryId: string, grantId: string, credits: number, reason: string, now: Date, extra: Record<string, unknown> = {}) {
  const session = new WalletSession(walletOf(user.data()), now.getTime(), "system:stripe");
  if (credits > 0) session.clawback(entryId, grantId, credits, { reason, actor: "system:stripe" });
  writeSession(db, tx, user.id, session, now);
  tx.set(user.ref, { ...walletFields(session.wallet), updatedAt: now, ...extra }, { merge: true });
}
