// What a payment's grant owes back, whatever order Stripe delivers the payment's events in.
// Each event is merged into the payment's recorded facts (the highest cumulative refund; each
// dispute's latest status, a closed status never reopened), then the ledger is brought to what
// those facts call for. Pure: the Firestore side (payments.ts) stores the state and applies the
// actions in the same transaction as the wallet.
//
// What the facts call for, for a grant of G credits:
//   - a refund of R of the charge's A takes floor(G·R/A) (rounded in the customer's favour);
//   - an open or lost dispute takes what the refunds left; an open one also pauses paid creates;
//   - a won dispute takes nothing (if it took credits while open, they come back as a new grant).
// Delivered out of order (a dispute before the refund that really preceded it), a refund is first
// paid from what a dispute already holds, so nothing is taken twice.

export type DisputeStatus = "open" | "won" | "lost";

export interface DisputeState {
  /** The latest status Stripe reported (a closed status is final). */
  status: DisputeStatus;
  /** What the ledger reflects; absent until the grant is known. */
  applied?: DisputeStatus;
  /** Credits this dispute holds (taken and not yet given back). */
  credits: number;
}

export interface PaymentState {
  uid?: string;
  grantId?: string;
  /** A subscription invoice this payment paid, traced before the invoice was granted (its grant attaches the payment). */
  invoiceId?: string;
  /** The grant's size: what a refund's share and a dispute are measured against. */
  credits?: number;
  /** The highest cumulative refund seen (Stripe's amount_refunded only grows). */
  refund?: { chargeId: string; amount: number; amountRefunded: number };
  /** Credits taken for refunds. */
  clawedBack?: number;
  disputes?: Record<string, DisputeState>;
}

export type Fact =
  | { kind: "grant"; uid: string; grantId: string; credits: number }
  | { kind: "refund"; chargeId: string; amount: number; amountRefunded: number }
  | { kind: "dispute"; disputeId: string; status: DisputeStatus };

export type Action =
  | { kind: "clawback"; entryId: string; amount: number; reason: string }
  | { kind: "reinstate"; entryId: string; amount: number; disputeId: string }
  | { kind: "freeze"; disputeId: string }
  | { kind: "unfreeze"; disputeId: string };

/** The share of a grant that `amountRefunded` of `amount` takes back (rounded down: the customer's favour). */
export const refundShare = (credits: number, amountRefunded: number, amount: number) =>
  Math.min(credits, Math.floor((credits * amountRefunded) / amount));

const closed = (s: DisputeStatus) => s !== "open";

/** The recorded facts with one more merged in; an event seen before changes nothing. */
export function merge(state: PaymentState, fact: Fact): PaymentState {
  const next: PaymentState = { ...state, disputes: { ...state.disputes } };
  if (fact.kind === "grant") {
    if (state.grantId) return state;
    Object.assign(next, { uid: fact.uid, grantId: fact.grantId, credits: fact.credits });
  } else if (fact.kind === "refund") {
    if (state.refund && state.refund.amountRefunded >= fact.amountRefunded) return state;
    next.refund = { chargeId: fact.chargeId, amount: fact.amount, amountRefunded: fact.amountRefunded };
  } else {
    const known = state.disputes?.[fact.disputeId];
    if (known && (closed(known.status) || known.status === fact.status)) return state;
    next.disputes![fact.disputeId] = { credits: 0, ...known, status: fact.status };
  }
  return next;
}

/** The actions that bring the ledger to what the recorded facts call for, and the state after them. */
export function settle(state: PaymentState): { state: PaymentState; actions: Action[] } {
  if (!state.grantId || state.credits === undefined) return { state, actions: [] };
  const grant = state.credits;
  const actions: Action[] = [];
  const disputes: Record<string, DisputeState> = {};
  for (const [id, d] of Object.entries(state.disputes ?? {})) disputes[id] = { ...d };
  const ids = Object.keys(disputes).sort();
  const held = () => ids.reduce((s, id) => s + disputes[id].credits, 0);

  // Refunds first: a dispute applied earlier may already hold what a refund takes.
  let clawedBack = state.clawedBack ?? 0;
  if (state.refund) {
    const target = refundShare(grant, state.refund.amountRefunded, state.refund.amount);
    let owed = target - clawedBack;
    for (const id of ids) {
      const moved = Math.min(Math.max(owed, 0), disputes[id].credits);
      disputes[id].credits -= moved;
      owed -= moved;
    }
    if (owed > 0) actions.push({ kind: "clawback", entryId: `clawback-${state.refund.chargeId}-${state.refund.amountRefunded}`, amount: owed, reason: "payment refunded" });
    clawedBack = Math.max(clawedBack, target);
  }

  for (const id of ids) {
    const d = disputes[id];
    if (d.applied === d.status) continue;
    if (d.applied === undefined && d.status !== "won") {
      // Opened (or already lost): take what refunds and other disputes left.
      const take = Math.max(0, grant - clawedBack - held());
      if (take > 0) actions.push({ kind: "clawback", entryId: `dispute-${id}`, amount: take, reason: "payment disputed" });
      d.credits = take;
    }
    if (d.status === "open") actions.push({ kind: "freeze", disputeId: id });
    if (d.applied === "open") actions.push({ kind: "unfreeze", disputeId: id });
    if (d.status === "won" && d.credits > 0) {
      actions.push({ kind: "reinstate", entryId: `reinstate-${id}`, amount: d.credits, disputeId: id });
      d.credits = 0;
    }
    d.applied = d.status;
  }
  return { state: { ...state, clawedBack, disputes }, actions };
}

/** One event: merged, then settled. */
export function reconcile(state: PaymentState, fact: Fact) {
  return settle(merge(state, fact));
}
