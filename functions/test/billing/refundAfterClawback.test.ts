// A refund after a clawback (review 2, F4): credits given back to a grant that a clawback emptied
// first undo what that clawback had to take elsewhere (its debt, other grants), so the user ends
// where a user whose jobs never ran would have.
import { planClawback, planDebit, planExpiry, planGrant, planRefund, type GrantInfo } from "../../src/ledger/grants/allocate";
import { creditsOf, DEBT, type LiveGrant, type Wallet } from "../../src/ledger/grants/wallet";

const T0 = Date.parse("2026-11-01T00:00:00Z");
const DAY = 86_400_000;
const END = T0 + 30 * DAY;
const allowance: LiveGrant = { id: "invoice-in_1", source: "plan", remaining: 200, expiresAtMs: END, createdAtMs: T0 };
const pack: LiveGrant = { id: "pack-1", source: "pack", remaining: 50, expiresAtMs: null, createdAtMs: T0 };
const wallet = (grants: LiveGrant[]): Wallet => ({ grants, debt: 0, creditLimit: 0, debtBlocks: false, frozen: false, legacy: null });
const info = new Map<string, GrantInfo>([allowance, pack].map((g) => [g.id, { source: g.source, expiresAtMs: g.expiresAtMs, createdAtMs: g.createdAtMs }]));

function spend(w: Wallet, amount: number) {
  const debit = planDebit(w, amount);
  if (!debit.ok) throw new Error("debit refused");
  return debit;
}

it("the review's scenario: allowance spent, payment refunded, jobs refunded, period ends: 0, not −200", () => {
  const debit = spend(wallet([allowance]), 200);
  const clawed = planClawback(debit.wallet, allowance.id, 200, T0 + DAY);
  expect(clawed.wallet).toMatchObject({ debt: 200, debtBlocks: true });
  const refunded = planRefund(clawed.wallet, debit.draws, info, T0 + DAY);
  expect(refunded.given).toEqual([{ grantId: DEBT, amount: 200 }]);
  expect(refunded.wallet).toMatchObject({ debt: 0, debtBlocks: false, grants: [] });
  const afterPeriod = planExpiry(refunded.wallet, END + 1).wallet;
  const neverRan = planExpiry(planClawback(wallet([allowance]), allowance.id, 200, T0 + DAY).wallet, END + 1).wallet;
  expect(creditsOf(neverRan)).toBe(0);
  expect(creditsOf(afterPeriod)).toBe(creditsOf(neverRan));
  expect(afterPeriod.debt).toBe(0);
});

it("what the clawback took from another grant goes back there; the rest revives the clawed grant", () => {
  const debit = spend(wallet([allowance, pack]), 220); // 200 from the allowance, 20 from the pack
  const clawed = planClawback(debit.wallet, allowance.id, 100, T0 + DAY); // the allowance is empty: 30 from the pack, 70 debt
  expect(clawed.draws).toEqual([{ grantId: pack.id, amount: 30 }, { grantId: DEBT, amount: 70 }]);
  const refunded = planRefund(clawed.wallet, debit.draws, info, T0 + DAY);
  expect(refunded.given).toEqual([{ grantId: DEBT, amount: 70 }, { grantId: pack.id, amount: 30 }, { grantId: allowance.id, amount: 100 }, { grantId: pack.id, amount: 20 }]);
  const never = planClawback(wallet([allowance, pack]), allowance.id, 100, T0 + DAY).wallet;
  const remaining = (w: Wallet) => Object.fromEntries(w.grants.map((g) => [g.id, g.remaining]));
  expect(remaining(refunded.wallet)).toEqual(remaining(never));
  expect(refunded.wallet.debt).toBe(0);
});

it("clawback debt paid off by a purchase meanwhile: the refund's share comes back as a fresh grant (the purchase's credits)", () => {
  const debit = spend(wallet([allowance]), 200);
  const clawed = planClawback(debit.wallet, allowance.id, 200, T0 + DAY);
  const bought = planGrant(clawed.wallet, { ...pack, id: "pack-2", remaining: 500 }).wallet; // pays the 200 debt
  const refunded = planRefund(bought, debit.draws, info, T0 + DAY);
  expect(refunded.excess).toBe(200);
  expect(creditsOf(refunded.wallet) + refunded.excess).toBe(500);
});

it("a clawback after the grant expired owes nothing to the grant: the refunded share is forfeited", () => {
  const debit = spend(wallet([allowance, pack]), 200);
  const expired = planExpiry(debit.wallet, END + 1).wallet;
  const clawed = planClawback(expired, allowance.id, 30, END + 1);
  const refunded = planRefund(clawed.wallet, debit.draws, info, END + 2);
  expect(refunded.forfeited).toEqual([{ grantId: allowance.id, amount: 200 }]);
  expect(refunded.wallet.grants.map((g) => [g.id, g.remaining])).toEqual([[pack.id, 20]]);
});
