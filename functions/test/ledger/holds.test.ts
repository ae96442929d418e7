// The pure parts of escrow holds: the hold as a wallet for the create plan (what a spend takes),
// and how big a hold an instance takes for the rate it sees.
import { planCommit, USER_PRINCIPAL } from "../../src/requests/commitPlan";
import type { Wallet } from "../../src/ledger/grants/wallet";
import { holdAfter, holdUsable, walletOfHold } from "../../src/ledger/holds/holdCommit";
import { unspentOf, type Hold } from "../../src/ledger/holds/hold";
import { DEFAULT_SIZING, holdSizeFor, RateMeter } from "../../src/ledger/holds/sizing";

const NOW = Date.parse("2026-03-02T00:00:00Z");
const hold = (over: Partial<Hold> = {}): Hold => ({
  id: "h1", instance: "i1", reserved: 10, spent: 0, state: "open", expiresAtMs: NOW + 30_000,
  draws: [{ grantId: "promo-1", amount: 4 }, { grantId: "pack-1", amount: 6 }], ...over,
});
const wallet = (over: Partial<Wallet> = {}): Wallet => ({ grants: [], debt: 0, creditLimit: 0, debtBlocks: false, frozen: false, legacy: null, ...over });

describe("the create plan over a hold", () => {
  const principals = new Map([[USER_PRINCIPAL, { usage: {}, limits: { perMinute: 1000, perDay: null }, refusal: null }]]);
  const item = (n: number, cost: number) => ({ requestId: `r${n}`, userId: "u", cost, numImages: 1, fingerprint: "f", principal: USER_PRINCIPAL });

  it("debits each item from the hold in order, refuses what it cannot cover, and leaves the hold's rest", () => {
    const plan = planCommit({ nowMs: NOW, balance: 0, wallet: walletOfHold(hold(), wallet()), principals: principals as never, stored: new Map(), items: [item(1, 3), item(2, 5), item(3, 5)] });
    expect(plan.outcomes.map((o) => o.kind)).toEqual(["created", "created", "refused"]);
    expect(plan.session.entries.map((e) => [e.id, e.data.amount, e.data.balanceAfter, e.data.draws])).toEqual([
      ["debit-r1", -3, 7, [{ grantId: "promo-1", amount: 3 }]],
      ["debit-r2", -5, 2, [{ grantId: "promo-1", amount: 1 }, { grantId: "pack-1", amount: 4 }]],
    ]);
    expect(holdAfter(hold(), plan.session)).toEqual(expect.objectContaining({ spent: 8, draws: [{ grantId: "pack-1", amount: 2 }] }));
  });

  it("keeps the wallet's dispute refusal; a hold near expiry, short, or on a debt-blocked wallet is not used", () => {
    const plan = planCommit({ nowMs: NOW, balance: 0, wallet: walletOfHold(hold(), wallet({ frozen: true })), principals: principals as never, stored: new Map(), items: [item(1, 1)] });
    expect(plan.outcomes[0]).toEqual(expect.objectContaining({ kind: "refused", error: expect.objectContaining({ code: "FAILED_PRECONDITION" }) }));
    expect(holdUsable(hold(), wallet(), 10, NOW, 0)).toBe(true);
    expect(holdUsable(hold(), wallet(), 11, NOW, 0)).toBe(false);
    expect(holdUsable(hold(), wallet(), 1, NOW + 26_000, 5_000)).toBe(false);
    expect(holdUsable(hold(), wallet({ debt: 2, debtBlocks: true }), 1, NOW, 0)).toBe(false);
    expect(unspentOf(hold())).toBe(10);
  });
});

describe("hold size", () => {
  it("is 0 for a quiet wallet (the direct path), about the horizon's spend once hot, capped", () => {
    const p = { ...DEFAULT_SIZING, hotCreates: 3, windowMs: 1_000, horizonMs: 5_000, maxCredits: 100 };
    expect(holdSizeFor([{ credits: 2 }, { credits: 2 }], 2, p)).toBe(0);
    expect(holdSizeFor([{ credits: 2 }, { credits: 2 }, { credits: 2 }], 2, p)).toBe(30);
    expect(holdSizeFor(Array.from({ length: 50 }, () => ({ credits: 4 })), 4, p)).toBe(100);
    expect(holdSizeFor([{ credits: 1 }, { credits: 1 }, { credits: 1 }], 50, p)).toBe(50);
  });

  it("follows the rate an instance saw in the last window, per wallet", () => {
    const meter = new RateMeter({ ...DEFAULT_SIZING, hotCreates: 2, windowMs: 1_000, horizonMs: 2_000 });
    meter.record("a", NOW, 5);
    expect(meter.holdSize("a", NOW, 5)).toBe(0);
    meter.record("a", NOW + 100, 5);
    expect(meter.holdSize("a", NOW + 200, 5)).toBe(20);
    expect(meter.holdSize("b", NOW + 200, 5)).toBe(0);
    expect(meter.holdSize("a", NOW + 1_200, 5)).toBe(0);
  });
});
