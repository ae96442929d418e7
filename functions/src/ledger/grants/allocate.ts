// The allocation rules, pure: which grants a debit draws from, where a refund goes back to, what
// expires, how a new grant pays off debt, what a clawback takes. Every function returns a new
// wallet and the draws to record on the ledger entry; nothing here reads or writes Firestore.
import { creditsOf, DEBT, isExpired, spendOrder, type Draw, type LiveGrant, type Shortfall, type Wallet } from "./wallet";

export interface GrantInfo {
  source: LiveGrant["source"];
  expiresAtMs: number | null;
  createdAtMs: number;
}

const clone = (w: Wallet): Wallet => ({
  ...w, grants: w.grants.map((g) => ({ ...g })), shortfalls: (w.shortfalls ?? []).map((f) => ({ ...f, draws: f.draws.map((d) => ({ ...d })) })),
});
const live = (w: Wallet) => w.grants.filter((g) => g.remaining > 0);

/** Grants whose expiry has passed leave the wallet; what remained of each is one `expire` draw. */
export function planExpiry(w: Wallet, nowMs: number): { wallet: Wallet; expired: Draw[] } {
  const expired = w.grants.filter((g) => isExpired(g, nowMs) && g.remaining > 0).map((g) => ({ grantId: g.id, amount: g.remaining }));
  return { wallet: { ...clone(w), grants: w.grants.filter((g) => !isExpired(g, nowMs)).map((g) => ({ ...g })) }, expired };
}

export type DebitPlan =
  | { ok: true; wallet: Wallet; draws: Draw[] }
  | { ok: false; why: "insufficient" | "debt" | "frozen"; available: number };

/**
 * Spends `amount` from the live grants, soonest expiry first, then oldest; what they cannot cover
 * becomes debt, as far as creditLimit allows. Expired grants must have been removed (planExpiry).
 * `allowDebt: false` (an admin's negative adjustment) never goes below zero.
 */
export function planDebit(w: Wallet, amount: number, opts: { allowDebt?: boolean } = {}): DebitPlan {
  const available = creditsOf(w);
  if (amount === 0) return { ok: true, wallet: clone(w), draws: [] };
  if (w.frozen) return { ok: false, why: "frozen", available };
  if (w.debtBlocks && w.debt > 0) return { ok: false, why: "debt", available };
  const limit = opts.allowDebt === false ? 0 : w.creditLimit;
  if (available - amount < -limit) return { ok: false, why: "insufficient", available };
  const next = clone(w);
  const draws = drawFrom(next, [...next.grants].sort(spendOrder), amount);
  return { ok: true, wallet: next, draws };
}

/**
 * Takes `amount` from `ordered` (grants of `next`, in the order to spend them) and books what they
 * cannot cover as debt; mutates `next` and returns the draws.
 */
function drawFrom(next: Wallet, ordered: LiveGrant[], amount: number): Draw[] {
  const draws: Draw[] = [];
  let left = amount;
  for (const g of ordered) {
    const take = Math.min(g.remaining, left);
    if (take <= 0) continue;
    g.remaining -= take;
    left -= take;
    draws.push({ grantId: g.id, amount: take });
  }
  if (left > 0) {
    next.debt += left;
    draws.push({ grantId: DEBT, amount: left });
  }
  next.grants = live(next);
  return draws;
}

/**
 * A new credit limit (a plan change, a subscription past due): what the balance already owes
 * beyond it becomes blocking debt, like a clawback's (paid creates wait until it is paid off).
 */
export function planCreditLimit(w: Wallet, creditLimit: number): Wallet {
  const next = { ...clone(w), creditLimit };
  if (creditsOf(next) < -creditLimit) next.debtBlocks = true;
  return next;
}

/** A new grant pays off debt first; the rest is what remains of it. */
export function planGrant(w: Wallet, grant: LiveGrant): { wallet: Wallet; paidDebt: number } {
  const next = clone(w);
  const paidDebt = Math.min(next.debt, grant.remaining);
  next.debt -= paidDebt;
  if (next.debt === 0) next.debtBlocks = false;
  const remaining = grant.remaining - paidDebt;
  if (remaining > 0) next.grants.push({ ...grant, remaining });
  return { wallet: next, paidDebt };
}

export interface RefundPlan {
  wallet: Wallet;
  /** Given back, per grant (DEBT: the debt the debit ran up, cancelled). */
  given: Draw[];
  /** Drawn from grants that have expired since: not given back (see docs/billing.md). */
  forfeited: Draw[];
  /** Debt the debit ran up but that was paid off since: comes back as a fresh grant (`excessGrant`). */
  excess: number;
}

/**
 * Gives a debit's draws back to the grants they came from, as if the debit had never happened:
 * a grant that has expired since would have expired with those credits in it, so its share is
 * forfeited. A grant spent to zero is revived from `info` (its stored facts). A grant that a
 * clawback found spent first gets back what that clawback took elsewhere (its shortfall): the
 * clawback would have taken these credits instead. Expired grants must have been removed first
 * (planExpiry), so the refund never resurrects one.
 */
export function planRefund(w: Wallet, draws: readonly Draw[], info: ReadonlyMap<string, GrantInfo>, nowMs: number): RefundPlan {
  const next = clone(w);
  const plan: RefundPlan = { wallet: next, given: [], forfeited: [], excess: 0 };
  for (const d of draws) giveBack(plan, d, info, nowMs);
  if (next.debt === 0) next.debtBlocks = false;
  return plan;
}

function giveBack(plan: RefundPlan, d: Draw, info: ReadonlyMap<string, GrantInfo>, nowMs: number): void {
  const next = plan.wallet;
  if (d.grantId === DEBT) {
    const cancel = Math.min(next.debt, d.amount);
    next.debt -= cancel;
    if (cancel) plan.given.push({ grantId: DEBT, amount: cancel });
    plan.excess += d.amount - cancel;
    return;
  }
  const held = next.grants.find((g) => g.id === d.grantId);
  const facts = held ?? info.get(d.grantId);
  let left = d.amount;
  // Latest clawback first: the clawbacks took from one stream (the grant, the others in spend
  // order, then debt), so credits the grant would have held spare the last units taken.
  for (const f of [...(next.shortfalls ?? [])].reverse()) {
    if (f.grantId !== d.grantId) continue;
    // Taken elsewhere because the grant had expired, not because it was spent: nothing to undo.
    if (facts && isExpired(facts, f.atMs)) f.draws = [];
    while (left > 0 && f.draws.length) {
      const last = f.draws[f.draws.length - 1];
      const undo = Math.min(left, last.amount);
      last.amount -= undo;
      if (last.amount === 0) f.draws.pop();
      left -= undo;
      giveBack(plan, { grantId: last.grantId, amount: undo }, info, nowMs);
    }
  }
  next.shortfalls = (next.shortfalls ?? []).filter((f) => f.draws.length > 0);
  if (left === 0) return;
  if (held) {
    held.remaining += left;
    plan.given.push({ grantId: d.grantId, amount: left });
    return;
  }
  if (!facts) throw new Error(`refund: no facts for grant ${d.grantId}`);
  if (isExpired(facts, nowMs)) {
    plan.forfeited.push({ grantId: d.grantId, amount: left });
    return;
  }
  next.grants.push({ id: d.grantId, source: facts.source, expiresAtMs: facts.expiresAtMs, createdAtMs: facts.createdAtMs, remaining: left });
  plan.given.push({ grantId: d.grantId, amount: left });
}

/** The grants a refund of `drawn` may give credits back to: those, and where their shortfalls took from (transitively). */
export function refundTargets(w: Wallet, drawn: readonly string[]): string[] {
  const out = new Set(drawn.filter((id) => id !== DEBT));
  for (let grew = true; grew; ) {
    grew = false;
    for (const f of w.shortfalls ?? []) {
      if (!out.has(f.grantId)) continue;
      for (const d of f.draws) if (d.grantId !== DEBT && !out.has(d.grantId)) { out.add(d.grantId); grew = true; }
    }
  }
  return [...out];
}

/**
 * Takes back `amount` credits of a grant (a refunded or disputed payment): from that grant's
 * remaining first, then from the other grants in spend order; what is already spent becomes debt
 * that blocks paid creates until a new grant pays it off. What it took outside the grant is
 * recorded as the grant's shortfall (planRefund).
 */
export function planClawback(w: Wallet, grantId: string, amount: number, nowMs: number): { wallet: Wallet; draws: Draw[] } {
  const next = clone(w);
  const own = next.grants.filter((g) => g.id === grantId);
  const rest = next.grants.filter((g) => g.id !== grantId).sort(spendOrder);
  const draws = drawFrom(next, [...own, ...rest], amount);
  if (draws.some((d) => d.grantId === DEBT)) next.debtBlocks = true;
  const elsewhere = draws.filter((d) => d.grantId !== grantId).map((d) => ({ ...d }));
  if (elsewhere.length) next.shortfalls = [...(next.shortfalls ?? []), { grantId, atMs: nowMs, draws: elsewhere } satisfies Shortfall];
  return { wallet: next, draws };
}
