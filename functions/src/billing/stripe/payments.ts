// Pack purchases and what happens to their payments afterwards (refunds, disputes), in any order
// of delivery. A payment document (`stripePayments/{paymentIntentId}`) holds everything Stripe told
// us about one payment (reconcile.ts merges and settles it); each event is one transaction over
// that document, the user and the ledger. Each business fact lands once however often it arrives:
// the grant's id names the Checkout Session, a refund's clawback the charge and the cumulative
// refunded amount, a dispute's entries the dispute.
import type { DocumentSnapshot, Firestore, Transaction } from "firebase-admin/firestore";
import { runMoneyTransaction } from "../../shared/transaction";
import { readRecall, writeRecall } from "../../ledger/holds/recall";
import { WalletSession } from "../../ledger/grants/session";
import { walletFields, walletOf } from "../../ledger/grants/wallet";
import { writeSession } from "../../ledger/grants/write";
import { userWallet } from "../../ledger/walletRef";
import type { PackDef } from "../catalog";
import { ignoreIfErased } from "./erased";
import type { FindInvoice, InvoiceLink } from "./invoicePayments";
import { merge, settle, type Action, type DisputeStatus, type Fact, type PaymentState } from "./reconcile";

export { refundShare } from "./reconcile";

const DAY = 86_400_000;
const ACTOR = "system:stripe";
const paymentRef = (db: Firestore, pi: string) => db.doc(`stripePayments/${pi}`);

export async function fulfilPack(db: Firestore, f: { uid: string; pack: PackDef; sessionId: string; paymentIntent: string | null }, now = new Date()) {
  const grantId = `pack-${f.sessionId}`;
  return runMoneyTransaction(db, async (tx) => {
    const user = await tx.get(db.doc(`users/${f.uid}`));
    ignoreIfErased(user);
    const [entry, payment] = await Promise.all([tx.get(db.doc(`users/${f.uid}/ledger/${grantId}`)), f.paymentIntent ? tx.get(paymentRef(db, f.paymentIntent)) : null]);
    if (entry.exists) return { granted: 0, replayed: true };
    const session = new WalletSession(walletOf(user.data()), now.getTime(), ACTOR);
    const expiresAtMs = f.pack.expiresAfterDays ? now.getTime() + f.pack.expiresAfterDays * DAY : null;
    session.grant({ id: grantId, source: "pack", amount: f.pack.credits, expiresAtMs, origin: { packId: f.pack.id, checkoutSession: f.sessionId, paymentIntent: f.paymentIntent } }, { reason: `pack ${f.pack.id}`, actor: ACTOR });
    // A refund or dispute that arrived first is applied now, as it would have been.
    const extra = attachGrant(tx, payment ? [payment] : [], { uid: f.uid, grantId, credits: f.pack.credits }, session, user, now);
    writeSession(db, tx, userWallet(f.uid), session, now);
    tx.set(user.ref, { ...walletFields(session.wallet), updatedAt: now, ...extra, ...(user.exists ? {} : { createdAt: now, role: "user" }) }, { merge: true });
    return { granted: f.pack.credits, replayed: false };
  });
}

/** A new grant meets the payments that paid for it (a pack's one, an invoice's traced ones): what they were told first is applied into `session`. Returns the user fields that change. */
export function attachGrant(tx: Transaction, payments: DocumentSnapshot[], grant: { uid: string; grantId: string; credits: number }, session: WalletSession, user: DocumentSnapshot, now: Date): Record<string, unknown> {
  return settleInto(tx, payments.map((p) => [p, merge(stateOf(p.data()), { kind: "grant", ...grant })]), session, user, now);
}

type Outcome = { done: string };

/** charge.refunded: `amount_refunded` is cumulative, so only the highest one seen counts. */
export const clawbackRefund = (db: Firestore, c: { chargeId: string; paymentIntent: string; amount: number; amountRefunded: number }, findInvoice?: FindInvoice, now = new Date()) =>
  recordFact(db, c.paymentIntent, { kind: "refund", chargeId: c.chargeId, amount: c.amount, amountRefunded: c.amountRefunded }, findInvoice, now);

/** charge.dispute.created (`open`) and charge.dispute.closed (`won` or `lost`). */
export const disputeEvent = (db: Firestore, d: { disputeId: string; paymentIntent: string; status: DisputeStatus }, findInvoice?: FindInvoice, now = new Date()) =>
  recordFact(db, d.paymentIntent, { kind: "dispute", disputeId: d.disputeId, status: d.status }, findInvoice, now);

async function recordFact(db: Firestore, paymentIntent: string, fact: Fact, findInvoice: FindInvoice | undefined, now: Date): Promise<Outcome> {
  const first = await applyFact(db, paymentIntent, fact, null, now);
  if (!first.untraced || !findInvoice) return first;
  // No grant knows this payment: it may have paid a subscription invoice. Asked outside any
  // transaction, and only then, so the usual event is one transaction and no API call.
  const link = await findInvoice(paymentIntent);
  return link ? applyFact(db, paymentIntent, fact, link, now) : first;
}

async function applyFact(db: Firestore, paymentIntent: string, fact: Fact, link: InvoiceLink | null, now: Date): Promise<Outcome & { untraced?: boolean }> {
  return runMoneyTransaction(db, async (tx) => {
    const payment = await tx.get(paymentRef(db, paymentIntent));
    const before = stateOf(payment.data());
    let merged = merge(before, fact);
    if (!merged.uid && link) merged = await linkInvoice(db, tx, merged, link);
    const untraced = !merged.uid && !merged.invoiceId;
    if (merged === before) return { done: "already recorded", untraced };
    if (!merged.uid) {
      tx.set(payment.ref, docOf(merged, now));
      return { done: "recorded; applied when its grant arrives", untraced };
    }
    const user = await tx.get(db.doc(`users/${merged.uid}`));
    ignoreIfErased(user);
    const recall = await readRecall(db, tx, userWallet(merged.uid), user.data());
    const session = new WalletSession(walletOf(user.data()), now.getTime(), ACTOR);
    writeRecall(tx, session, recall, { actor: ACTOR, reason: "holds recalled for a payment event", now });
    const extra = settleInto(tx, [[payment, merged]], session, user, now);
    writeSession(db, tx, userWallet(merged.uid), session, now);
    tx.set(user.ref, { ...walletFields(session.wallet), updatedAt: now, ...extra }, { merge: true });
    return { done: describe(session) };
  });
}

/** A traced invoice payment: its grant if the invoice was granted already; otherwise the invoice's grant attaches it (grantInvoice). */
async function linkInvoice(db: Firestore, tx: Transaction, state: PaymentState, link: InvoiceLink): Promise<PaymentState> {
  const entry = await tx.get(db.doc(`users/${link.uid}/ledger/invoice-${link.invoiceId}`));
  if (!entry.exists) return { ...state, invoiceId: link.invoiceId };
  return merge(state, { kind: "grant", uid: link.uid, grantId: entry.id, credits: Number(entry.get("amount") ?? 0) });
}

/** Settles each payment's facts into the session and stores the payments; returns the user fields that change (paused creates). */
function settleInto(tx: Transaction, payments: [DocumentSnapshot, PaymentState][], session: WalletSession, user: DocumentSnapshot, now: Date): Record<string, unknown> {
  const open = new Set<string>((user.get("openDisputes") as string[] | undefined) ?? []);
  let paused = false;
  for (const [payment, merged] of payments) {
    const { state, actions } = settle(merged);
    for (const a of actions) apply(a, state, session, open);
    tx.set(payment.ref, docOf(state, now));
    paused ||= actions.some((a) => a.kind === "freeze" || a.kind === "unfreeze");
  }
  return paused ? { openDisputes: [...open] } : {};
}

function apply(a: Action, state: PaymentState, session: WalletSession, open: Set<string>) {
  const fields = { actor: ACTOR };
  if (a.kind === "clawback") session.clawback(a.entryId, state.grantId!, a.amount, { ...fields, reason: a.reason });
  else if (a.kind === "reinstate") session.grant({ id: a.entryId, source: "pack", amount: a.amount, expiresAtMs: null, origin: { dispute: a.disputeId } }, { ...fields, reason: "dispute won" });
  else if (a.kind === "freeze") open.add(a.disputeId);
  else open.delete(a.disputeId);
}

function describe(session: WalletSession): string {
  const moved = session.entries.filter((e) => e.data.type === "clawback" || e.data.type === "grant");
  return moved.length ? moved.map((e) => `${e.id} ${e.data.amount}`).join(", ") : "nothing to move";
}

/** The stored document as state; documents written before reconcile.ts (pendingRefund, disputes without `applied`) read the same. */
function stateOf(data: Record<string, unknown> | undefined): PaymentState {
  const d = (data ?? {}) as PaymentState & { pendingRefund?: PaymentState["refund"] };
  const disputes = Object.fromEntries(Object.entries(d.disputes ?? {}).map(([id, x]) => [id, d.grantId && !x.applied ? { ...x, applied: x.status } : x]));
  return { uid: d.uid, grantId: d.grantId, credits: d.credits, invoiceId: d.invoiceId, refund: d.refund ?? d.pendingRefund, clawedBack: d.clawedBack, disputes };
}

function docOf(s: PaymentState, now: Date): Record<string, unknown> {
  const out: Record<string, unknown> = { updatedAt: now };
  for (const [k, v] of Object.entries(s)) if (v !== undefined) out[k] = v;
  return out;
}
