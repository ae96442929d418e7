// Issue 23 item 3, pure: random plan-change sequences over several periods, invoiced the way
// Stripe invoices them (always_invoice: a subscription_update invoice per change with its two
// proration lines; create_prorations: the lines wait for the next cycle's invoice, beside the new
// period's subscription line), delivered in a random order with duplicates. The invariant: no
// period's allowance grants add up to more than the largest allowance held in that period; with
// always_invoice they reach it exactly.
import { rng } from "../../../test-support/rng";
import { allowanceTopUp, invoicePeriod, type PlanLine } from "../../src/billing/stripe/invoicePeriod";

const PLANS = { creator: { price: "price_creator", cents: 2000, credits: 200 }, pro: { price: "price_pro", cents: 4000, credits: 500 }, enterprise: { price: "price_ent", cents: 9900, credits: 1000 } };
type PlanId = keyof typeof PLANS;
const ids = Object.keys(PLANS) as PlanId[];
const allowanceOf = (price: string) => Object.values(PLANS).find((p) => p.price === price)?.credits ?? null;
const MONTH = 30 * 86_400;

interface Invoice { id: string; lines: PlanLine[] }

/** Stripe's side of the model: the invoices a subscription's plan history produces. */
function invoicesFor(history: Array<{ period: number; changes: Array<{ at: number; to: PlanId }> }>, first: PlanId, behaviour: "always_invoice" | "create_prorations") {
  const invoices: Invoice[] = [];
  let plan = first;
  let pending: PlanLine[] = [];
  const held: Record<number, number> = {};
  for (const { period, changes } of history) {
    const [start, end] = [period * MONTH, (period + 1) * MONTH];
    const sub: PlanLine = { amount: PLANS[plan].cents, period: { start, end }, price: PLANS[plan].price, proration: false };
    invoices.push({ id: `in_${period}`, lines: [sub, ...pending] });
    pending = [];
    held[end] = PLANS[plan].credits;
    for (const [i, c] of changes.entries()) {
      const share = (end - c.at) / (end - start);
      const lines: PlanLine[] = [
        { amount: -Math.round(PLANS[plan].cents * share), period: { start: c.at, end }, price: PLANS[plan].price, proration: true },
        { amount: Math.round(PLANS[c.to].cents * share), period: { start: c.at, end }, price: PLANS[c.to].price, proration: true },
      ];
      if (behaviour === "always_invoice") invoices.push({ id: `in_${period}_${i}`, lines });
      else pending.push(...lines);
      plan = c.to;
      held[end] = Math.max(held[end], PLANS[plan].credits);
    }
  }
  return { invoices, held };
}

/** Our side: each invoice once (a replay is a no-op), granted into its period by the production logic. */
function deliver(invoices: Invoice[]) {
  const granted: Record<number, number> = {};
  const seen = new Set<string>();
  for (const inv of invoices) {
    if (seen.has(inv.id)) continue;
    seen.add(inv.id);
    const p = invoicePeriod(inv.lines, allowanceOf);
    if (!p) continue;
    granted[p.end] = (granted[p.end] ?? 0) + allowanceTopUp(p.credits, granted[p.end] ?? 0);
  }
  return granted;
}

describe.each(["always_invoice", "create_prorations"] as const)("plan changes under %s", (behaviour) => {
  it("no period grants more than the largest allowance held in it, in any delivery order", () => {
    const rand = rng(behaviour === "always_invoice" ? 23 : 32);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    let checked = 0;
    for (let run = 0; run < 400; run++) {
      const history = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, period) => ({
        period,
        changes: Array.from({ length: Math.floor(rand() * 5) }, () => period * MONTH + 1 + Math.floor(rand() * (MONTH - 86_400))).sort((a, b) => a - b).map((at) => ({ at, to: pick(ids) })),
      }));
      const { invoices, held } = invoicesFor(history, pick(ids), behaviour);
      const delivered = [...invoices, ...invoices.filter(() => rand() < 0.3)].map((inv) => ({ inv, k: rand() })).sort((a, b) => a.k - b.k).map((x) => x.inv);
      const granted = deliver(delivered);
      for (const [end, credits] of Object.entries(granted)) {
        expect({ end, credits: Math.min(credits, held[Number(end)]) }).toEqual({ end, credits });
        // always_invoice pays for every change at once, so each period reaches its largest allowance.
        if (behaviour === "always_invoice") expect({ end, credits }).toEqual({ end, credits: held[Number(end)] });
        checked++;
      }
      // Every period was paid for by its cycle (or create) invoice.
      expect(Object.keys(granted).sort()).toEqual(Object.keys(held).sort());
    }
    expect(checked).toBeGreaterThan(400);
  });
});

describe("invoicePeriod", () => {
  const line = (price: string, start: number, end: number, amount: number, proration: boolean): PlanLine => ({ price, period: { start, end }, amount, proration });

  it("takes the period from the latest end, the start from the subscription line, and ignores credit lines", () => {
    // create_prorations: the new period's line first, then the old period's prorations (Remaining time on Pro is last).
    const p = invoicePeriod([line("price_pro", 100, 200, 4000, false), line("price_creator", 50, 100, -1000, true), line("price_pro", 50, 100, 2000, true)], allowanceOf);
    expect(p).toEqual({ end: 200, start: 100, seenFrom: 100, price: "price_pro", credits: 500 });
    // A downgrade invoiced at once: "Unused time on Pro" does not count as paying for Pro.
    const down = invoicePeriod([line("price_pro", 150, 200, -2000, true), line("price_creator", 150, 200, 1000, true)], allowanceOf);
    expect(down).toEqual({ end: 200, start: null, seenFrom: 150, price: "price_creator", credits: 200 });
    expect(invoicePeriod([line("price_unknown", 0, 10, 100, false)], allowanceOf)).toBeNull();
  });
});
