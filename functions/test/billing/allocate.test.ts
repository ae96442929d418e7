// The allocation rules without Firestore: spend order, debt, refunds (including a grant that
// expired in between), expiry, clawbacks.
import { planClawback, planDebit, planExpiry, planGrant, planRefund } from "../../src/ledger/grants/allocate";
import { creditsOf, DEBT, walletOf, type LiveGrant, type Wallet } from "../../src/ledger/grants/wallet";

const T0 = Date.parse("2026-11-01T00:00:00Z");
const DAY = 86_400_000;
const g = (id: string, remaining: number, expiresInDays: number | null, source: LiveGrant["source"] = "admin", createdAtMs = T0): LiveGrant =>
  ({ id, source, remaining, expiresAtMs: expiresInDays == null ? null : T0 + expiresInDays * DAY, createdAtMs });
const wallet = (grants: LiveGrant[], over: Partial<Wallet> = {}): Wallet => ({ grants, debt: 0, creditLimit: 0, debtBlocks: false, frozen: false, legacy: null, ...over });

describe("planDebit", () => {
  it("spends the soonest-expiring grant first, never-expiring last, then the oldest", () => {
    const w = wallet([g("pack", 100, null, "pack"), g("plan", 5, 30, "plan"), g("promo", 3, 10, "promo"), g("older-pack", 2, null, "pack", T0 - DAY)]);
    const plan = planDebit(w, 10);
    expect(plan.ok && plan.draws).toEqual([{ grantId: "promo", amount: 3 }, { grantId: "plan", amount: 5 }, { grantId: "older-pack", amount: 2 }]);
    expect(plan.ok && plan.wallet.grants.map((x) => [x.id, x.remaining])).toEqual([["pack", 100]]);
  });

  it("refuses beyond the balance; with a credit limit the shortfall becomes debt", () => {
    expect(planDebit(wallet([g("a", 2, null)]), 3)).toEqual({ ok: false, why: "insufficient", available: 2 });
    const plan = planDebit(wallet([g("a", 2, null)], { creditLimit: 5 }), 7);
    expect(plan.ok && plan.draws).toEqual([{ grantId: "a", amount: 2 }, { grantId: DEBT, amount: 5 }]);
    expect(plan.ok && creditsOf(plan.wallet)).toBe(-5);
    expect(planDebit(wallet([g("a", 2, null)], { creditLimit: 5 }), 8).ok).toBe(false);
    expect(planDebit(wallet([g("a", 2, null)], { creditLimit: 5 }), 3, { allowDebt: false }).ok).toBe(false);
  });

  it("clawback debt and an open dispute block paid creates, not free ones", () => {
    expect(planDebit(wallet([], { debt: 4, debtBlocks: true, creditLimit: 100 }), 1)).toMatchObject({ ok: false, why: "debt" });
    expect(planDebit(wallet([g("a", 9, null)], { frozen: true }), 1)).toMatchObject({ ok: false, why: "frozen" });
    expect(planDebit(wallet([], { debt: 4, debtBlocks: true }), 0).ok).toBe(true);
  });
});

describe("planExpiry", () => {
  it("expires exactly what remained of each grant past its expiry, and only those", () => {
    const { wallet: w, expired } = planExpiry(wallet([g("old", 4, 1), g("new", 6, 40), g("forever", 1, null)]), T0 + 2 * DAY);
    expect(expired).toEqual([{ grantId: "old", amount: 4 }]);
    expect(w.grants.map((x) => x.id)).toEqual(["new", "forever"]);
  });
});

describe("planGrant", () => {
  it("a new grant pays off debt first and unblocks", () => {
    const { wallet: w, paidDebt } = planGrant(wallet([], { debt: 30, debtBlocks: true }), g("pack", 100, null, "pack"));
    expect(paidDebt).toBe(30);
    expect(w).toMatchObject({ debt: 0, debtBlocks: false });
    expect(w.grants.map((x) => x.remaining)).toEqual([70]);
  });
});

describe("planRefund", () => {
  const facts = new Map([["spent", { source: "plan" as const, expiresAtMs: T0 + 30 * DAY, createdAtMs: T0 }], ["gone", { source: "plan" as const, expiresAtMs: T0 + DAY, createdAtMs: T0 }]]);

  it("gives each draw back to its grant, reviving one spent to zero", () => {
    const plan = planRefund(wallet([g("pack", 1, null, "pack")]), [{ grantId: "spent", amount: 2 }, { grantId: "pack", amount: 1 }], facts, T0);
    expect(plan.given).toEqual([{ grantId: "spent", amount: 2 }, { grantId: "pack", amount: 1 }]);
    expect(plan.wallet.grants.map((x) => [x.id, x.remaining, x.expiresAtMs])).toEqual([["pack", 2, null], ["spent", 2, T0 + 30 * DAY]]);
  });

  it("a grant that expired in between: its share is forfeited (it would have expired unspent), the rest comes back", () => {
    const plan = planRefund(wallet([]), [{ grantId: "gone", amount: 3 }, { grantId: "spent", amount: 1 }], facts, T0 + 2 * DAY);
    expect(plan.forfeited).toEqual([{ grantId: "gone", amount: 3 }]);
    expect(plan.given).toEqual([{ grantId: "spent", amount: 1 }]);
    expect(creditsOf(plan.wallet)).toBe(1);
  });

  it("debt the debit ran up is cancelled; if it was paid off since, it comes back as excess", () => {
    const plan = planRefund(wallet([], { debt: 2 }), [{ grantId: DEBT, amount: 5 }], new Map(), T0);
    expect(plan.given).toEqual([{ grantId: DEBT, amount: 2 }]);
    expect(plan.excess).toBe(3);
  });
});

describe("planClawback", () => {
  it("takes the grant's remaining, then other grants, then runs debt that blocks", () => {
    const { wallet: w, draws } = planClawback(wallet([g("plan", 3, 30, "plan"), g("pack", 10, null, "pack")]), "pack", 100, T0);
    expect(draws).toEqual([{ grantId: "pack", amount: 10 }, { grantId: "plan", amount: 3 }, { grantId: DEBT, amount: 87 }]);
    expect(w).toMatchObject({ debt: 87, debtBlocks: true, grants: [] });
  });
});

describe("walletOf", () => {
  it("a balance from before grants is one admin grant without expiry (or debt if negative)", () => {
    expect(walletOf({ credits: 12 })).toMatchObject({ grants: [{ id: "grant-legacy", source: "admin", remaining: 12, expiresAtMs: null }], debt: 0 });
    expect(walletOf({ credits: -3 })).toMatchObject({ grants: [], debt: 3 });
    expect(walletOf(undefined)).toMatchObject({ grants: [], debt: 0, creditLimit: 0 });
  });
});
