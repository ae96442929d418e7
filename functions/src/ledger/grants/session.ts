// A sequence of money movements on one wallet, planned in memory and then written in one commit:
// the ledger entries (each with its draws and its balanceAfter), the per-grant counters and the
// new wallet. Every writer of credits goes through it (the hot create path, refunds, grants,
// expiry, clawbacks), whatever is being charged: a generation request today, a training job or
// a purchase tomorrow; the caller names the entry ids and adds its own fields to the entries.
// Opening a session expires what has expired (lazily, with the same entry ids as the sweep).
import { planClawback, planDebit, planExpiry, planGrant, planRefund, type DebitPlan, type GrantInfo, type RefundPlan } from "./allocate";
import { creditsOf, DEBT, type Draw, type LiveGrant, type Wallet } from "./wallet";

export interface SessionEntry {
  id: string;
  data: Record<string, unknown>;
}

export interface GrantCounters {
  drawn: number;
  givenBack: number;
  expired: number;
}

/** A grant first written by this session (its document is created with final counters). */
export interface NewGrant {
  id: string;
  source: LiveGrant["source"];
  amount: number;
  expiresAtMs: number | null;
  createdAtMs: number;
  origin: Record<string, unknown>;
}

export const expireEntryId = (grantId: string) => `expire-${grantId}`;

export class WalletSession {
  readonly entries: SessionEntry[] = [];
  readonly counters = new Map<string, GrantCounters>();
  readonly newGrants = new Map<string, NewGrant>();
  /** Grants ended early (a plan replaced mid-period): their documents get the new expiry. */
  readonly endedEarly = new Set<string>();

  constructor(public wallet: Wallet, readonly nowMs: number, actor = "system:expiry") {
    if (wallet.legacy) {
      const g = wallet.legacy;
      this.newGrants.set(g.id, { id: g.id, source: g.source, amount: g.remaining, expiresAtMs: null, createdAtMs: g.createdAtMs, origin: { migratedBalance: true } });
      this.wallet = { ...wallet, legacy: null };
    }
    this.expire(actor);
  }

  get credits(): number {
    return creditsOf(this.wallet);
  }

  /** Writes an `expire` entry for what remained of each grant past its expiry. */
  expire(actor: string): Draw[] {
    const { wallet, expired } = planExpiry(this.wallet, this.nowMs);
    // Each entry's balanceAfter is the balance once it (not all of them) has expired.
    let balance = this.credits;
    for (const d of expired) {
      this.count(d.grantId, "expired", d.amount);
      balance -= d.amount;
      this.push(expireEntryId(d.grantId), { type: "expire", amount: -d.amount, grantId: d.grantId, draws: [d], reason: "credits expired", actor }, balance);
    }
    this.wallet = wallet;
    return expired;
  }

  /** Ends the matching grants now (what remains of them expires with the usual entries). */
  endGrants(match: (g: LiveGrant) => boolean, actor: string): Draw[] {
    const grants = this.wallet.grants.map((g) => (match(g) ? { ...g, expiresAtMs: this.nowMs } : g));
    for (const g of this.wallet.grants) if (match(g)) this.endedEarly.add(g.id);
    this.wallet = { ...this.wallet, grants };
    return this.expire(actor);
  }

  debit(entryId: string, amount: number, fields: Record<string, unknown>, opts: { allowDebt?: boolean } = {}): DebitPlan {
    const plan = planDebit(this.wallet, amount, opts);
    if (!plan.ok) return plan;
    this.wallet = plan.wallet;
    for (const d of plan.draws) this.count(d.grantId, "drawn", d.amount);
    this.push(entryId, { type: "debit", amount: -amount, draws: plan.draws, ...fields });
    return plan;
  }

  /** Gives `draws` (what a debit drew) back; returns the credits restored. */
  refund(entryId: string, draws: readonly Draw[], info: ReadonlyMap<string, GrantInfo>, fields: Record<string, unknown>): RefundPlan & { amount: number } {
    const plan = planRefund(this.wallet, draws, info, this.nowMs);
    this.wallet = plan.wallet;
    for (const d of plan.given) this.count(d.grantId, "givenBack", d.amount);
    let amount = plan.given.reduce((s, d) => s + d.amount, 0);
    const extra: Record<string, unknown> = {};
    if (plan.excess > 0) {
      const id = `grant-${entryId}`;
      this.addGrant({ id, source: "admin", amount: plan.excess, expiresAtMs: null, createdAtMs: this.nowMs, origin: { refundOf: entryId } });
      extra.excessGrantId = id;
      amount += plan.excess;
    }
    this.push(entryId, { type: "refund", amount, draws: plan.given, forfeited: plan.forfeited, ...extra, ...fields });
    return { ...plan, amount };
  }

  /**
   * Moves `amount` out of the wallet into an escrow hold (ledger/holds): drawn from the grants
   * like a debit, never into debt. Returns the draws the hold carries for its own spends.
   */
  hold(entryId: string, amount: number, fields: Record<string, unknown>): DebitPlan {
    const plan = planDebit(this.wallet, amount, { allowDebt: false });
    if (!plan.ok) return plan;
    this.wallet = plan.wallet;
    for (const d of plan.draws) this.count(d.grantId, "drawn", d.amount);
    this.push(entryId, { type: "hold", amount: -amount, draws: plan.draws, ...fields });
    return plan;
  }

  /** Gives a hold's unspent draws back (as a refund would); an expired grant's share is forfeited. */
  release(entryId: string, draws: readonly Draw[], info: ReadonlyMap<string, GrantInfo>, fields: Record<string, unknown>): { amount: number; forfeited: number } {
    const plan = planRefund(this.wallet, draws, info, this.nowMs);
    this.wallet = plan.wallet;
    for (const d of plan.given) this.count(d.grantId, "givenBack", d.amount);
    const amount = plan.given.reduce((s, d) => s + d.amount, 0);
    const forfeited = plan.forfeited.reduce((s, d) => s + d.amount, 0);
    this.push(entryId, { type: "release", amount, draws: plan.given, forfeited: plan.forfeited, ...fields });
    return { amount, forfeited };
  }

  /** A new grant (its id is its ledger entry's id); pays off debt first. */
  grant(grant: Omit<NewGrant, "createdAtMs">, fields: Record<string, unknown>): { paidDebt: number } {
    const paidDebt = this.addGrant({ ...grant, createdAtMs: this.nowMs });
    // Paying off debt is a draw on the new grant, so its remaining is derivable from the entries.
    const draws = paidDebt ? [{ grantId: grant.id, amount: paidDebt }] : [];
    this.push(grant.id, { type: "grant", amount: grant.amount, grantId: grant.id, source: grant.source, paidDebt, draws, ...fields });
    // A grant that arrives already past its window (a renewal paid late) expires at once.
    this.expire(String(fields.actor ?? "system:expiry"));
    return { paidDebt };
  }

  clawback(entryId: string, grantId: string, amount: number, fields: Record<string, unknown>): Draw[] {
    const { wallet, draws } = planClawback(this.wallet, grantId, amount, this.nowMs);
    this.wallet = wallet;
    for (const d of draws) this.count(d.grantId, "drawn", d.amount);
    this.push(entryId, { type: "clawback", amount: -amount, draws, ...fields });
    return draws;
  }

  private addGrant(g: NewGrant): number {
    this.newGrants.set(g.id, g);
    const { wallet, paidDebt } = planGrant(this.wallet, { id: g.id, source: g.source, remaining: g.amount, expiresAtMs: g.expiresAtMs, createdAtMs: g.createdAtMs });
    this.wallet = wallet;
    if (paidDebt) this.count(g.id, "drawn", paidDebt);
    return paidDebt;
  }

  private count(grantId: string, what: keyof GrantCounters, amount: number) {
    if (grantId === DEBT) return;
    const c = this.counters.get(grantId) ?? { drawn: 0, givenBack: 0, expired: 0 };
    c[what] += amount;
    this.counters.set(grantId, c);
  }

  private push(id: string, data: Record<string, unknown>, balanceAfter = this.credits) {
    this.entries.push({ id, data: { ...data, balanceAfter } });
  }
}
