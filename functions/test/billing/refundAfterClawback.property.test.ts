// Property test of the refund-after-clawback rule (review 2, F4), without Firestore: two worlds
// run the same grants, clawbacks of a paid grant, expiries and purchases through the real
// WalletSession; in one, debits that drew from the paid grant happen (and are refunded,
// interleaved with clawbacks and expiries), in the other they never happen. Whatever the order, the worlds end with the same
// balance, the same debt and the same block on paid creates, before and after every grant expires.
import { rng } from "../../../test-support/rng";
import type { GrantInfo } from "../../src/ledger/grants/allocate";
import { WalletSession } from "../../src/ledger/grants/session";
import { creditsOf, type Draw, type Wallet } from "../../src/ledger/grants/wallet";

const DAY = 86_400_000;

class World {
  wallet: Wallet = { grants: [], debt: 0, creditLimit: 0, debtBlocks: false, frozen: false, legacy: null };
  info = new Map<string, GrantInfo>();
  ledger = 0;

  run(now: number, move: (s: WalletSession) => void) {
    const s = new WalletSession(this.wallet, now);
    move(s);
    for (const g of s.newGrants.values()) this.info.set(g.id, { source: g.source, expiresAtMs: g.expiresAtMs, createdAtMs: g.createdAtMs });
    this.ledger += s.entries.reduce((sum, e) => sum + Number(e.data.amount), 0);
    this.wallet = s.wallet;
  }

  /** What a user sees: balance, debt, and whether paid creates wait for it. */
  get state() {
    if (this.ledger !== creditsOf(this.wallet)) throw new Error(`credits ${creditsOf(this.wallet)} != Σ ledger ${this.ledger}`);
    return { credits: creditsOf(this.wallet), debt: this.wallet.debt, blocked: this.wallet.debt > 0 && this.wallet.debtBlocks };
  }
}

function walk(seed: number) {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const actual = new World();
  const never = new World();
  // `move` runs once per world: it must draw no random numbers itself.
  const both = (now: number, move: (s: WalletSession) => void) => { actual.run(now, move); never.run(now, move); };
  let now = Date.parse("2026-01-31T00:00:00Z");
  const counts = { clawbacks: 0, shortfalls: 0, refunds: 0, forfeited: 0 };

  // One paid grant (the one clawed back later, as a refunded payment's is) and debits that stay:
  // the same in both worlds.
  const paid = "paid";
  const paidExpiry = r() < 0.6 ? now + int(1, 40) * DAY : null;
  const paidAmount = int(20, 60);
  both(now, (s) => s.grant({ id: paid, source: r() < 0.5 ? "plan" : "pack", amount: paidAmount, expiresAtMs: paidExpiry, origin: {} }, { reason: "t", actor: "t" }));
  for (let i = 0; i < int(0, 3); i++) {
    const amount = int(1, 10);
    both(now, (s) => s.debit(`kept-${i}`, amount, { reason: "t" }));
  }
  // The debits to be refunded: only in the actual world, after every debit that stays (a later
  // debit would draw differently in the other world, which no refund can undo).
  const open: { id: string; draws: Draw[] }[] = [];
  for (let i = 0; i < int(1, 4); i++) {
    const amount = int(1, 30);
    actual.run(now, (s) => {
      const plan = s.debit(`debit-${i}`, amount, { reason: "t" });
      if (plan.ok) open.push({ id: `${i}`, draws: plan.draws });
    });
  }
  // Other grants, never clawed back: what a clawback of the paid grant takes once that grant is
  // spent. Granted after those debits, so none of them drew here, and expiring only after the walk
  // (the two limits of the rule, docs/billing.md). The paid grant may expire within the walk.
  for (let i = 0; i < int(0, 3); i++) {
    const expiresAtMs = r() < 0.5 ? now + int(150, 200) * DAY : null;
    const [source, amount] = [(["plan", "pack", "promo", "admin"] as const)[int(0, 3)], int(5, 50)];
    both(now, (s) => s.grant({ id: `other-${i}`, source, amount, expiresAtMs, origin: {} }, { reason: "t", actor: "t" }));
  }
  const refund = (k: number) => {
    const [d] = open.splice(k, 1);
    actual.run(now, (s) => {
      const plan = s.refund(`refund-${d.id}`, d.draws, actual.info, { reason: "t" });
      counts.forfeited += plan.forfeited.length;
    });
    counts.refunds++;
  };
  for (let n = 0; n < 14; n++) {
    const pick = r();
    if (pick < 0.35) {
      const amount = int(1, 40);
      both(now, (s) => s.clawback(`clawback-${n}`, paid, amount, { reason: "t" }));
      counts.clawbacks++;
      counts.shortfalls = Math.max(counts.shortfalls, actual.wallet.shortfalls?.length ?? 0);
    } else if (pick < 0.55) {
      now += int(0, 10) * DAY;
      both(now, () => undefined);
    } else if (pick < 0.65) {
      // A purchase pays debt first; it never expires (an expiring one would expire with what the
      // other world's debt did not take, and the refund's fresh grant does not expire).
      const amount = int(5, 30);
      both(now, (s) => s.grant({ id: `buy-${n}`, source: "pack", amount, expiresAtMs: null, origin: {} }, { reason: "t", actor: "t" }));
    } else if (open.length) {
      refund(int(0, open.length - 1));
    }
  }
  while (open.length) refund(0);
  const atEnd = { actual: actual.state, never: never.state };
  now += 100 * DAY;
  both(now, () => undefined);
  return { atEnd, afterExpiry: { actual: actual.state, never: never.state }, counts };
}

const totals = { clawbacks: 0, shortfalls: 0, refunds: 0, forfeited: 0 };

it.each(Array.from({ length: 300 }, (_, i) => i + 1))("refunded debits leave the state they would have left had they never happened (seed %i)", (seed) => {
  const { atEnd, afterExpiry, counts } = walk(seed);
  expect(atEnd.actual).toEqual(atEnd.never);
  expect(afterExpiry.actual).toEqual(afterExpiry.never);
  for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += counts[k];
});

// The walks did reach the interesting cases: clawbacks that found grants spent, and refunds of
// debits whose grants had expired since.
afterAll(() => {
  expect(totals.clawbacks).toBeGreaterThan(300);
  expect(totals.shortfalls).toBeGreaterThan(100);
  expect(totals.refunds).toBeGreaterThan(300);
  expect(totals.forfeited).toBeGreaterThan(10);
});
