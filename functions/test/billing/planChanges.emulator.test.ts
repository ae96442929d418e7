// Issue 23 item 3 over the signed webhook: plan changes invoice proration lines ("Unused time on
// Creator", "Remaining time on Pro", each from the change to the period's end), and no sequence
// of changes within a period grants more than the largest allowance held in it. Both of Stripe's
// proration behaviours: `always_invoice` (a subscription_update invoice at each change, negative
// on a downgrade) and the default `create_prorations` (the lines wait for the next cycle's invoice).
import { createTestUser, db } from "../../../test-support/emulator";
// @ts-expect-error: an ES module shared with the scripts (typed: tsconfig.test.json checks it), imported from CommonJS
import { planChangeLines } from "../../../scripts/lib/stripe-fixtures.mjs";
import { DAY, expectInvariants, seedBilling, sendEvent, userDoc } from "./helpers";

beforeAll(seedBilling);

/** Plan allowance granted per period, keyed by the period's end (the grants' expiry). */
async function allowanceByPeriod(uid: string): Promise<Record<string, number>> {
  const grants = await db().collection(`users/${uid}/grants`).where("source", "==", "plan").get();
  const out: Record<string, number> = {};
  for (const g of grants.docs) {
    const end = g.get("expiresAt").toDate().toISOString();
    out[end] = (out[end] ?? 0) + Number(g.get("amount"));
  }
  return out;
}

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();

describe("plan changes within a period (always_invoice)", () => {
  it("an upgrade tops up to the new allowance; downgrading and upgrading again grants nothing more", async () => {
    const u = await createTestUser({ credits: 0, prefix: "prorate" });
    const now = Date.now();
    const [start, end] = [iso(now - 10 * DAY), iso(now + 20 * DAY)];
    const sub = { uid: u.uid, subscription: `sub_${u.uid}`, periodStart: start, periodEnd: end };
    expect((await sendEvent("invoice.paid", { ...sub, invoice: `in0_${u.uid}`, reason: "subscription_create" })).status).toBe(200);
    const changes: Array<["creator" | "pro", "creator" | "pro"]> = [["creator", "pro"], ["pro", "creator"], ["creator", "pro"], ["pro", "creator"]];
    const bodies: string[] = [];
    for (const [i, [from, to]] of changes.entries()) {
      const lines = planChangeLines({ from, to, at: iso(now - (5 - i) * DAY), start, end });
      const r = await sendEvent("invoice.paid", { ...sub, plan: to, invoice: `in${i + 1}_${u.uid}`, reason: "subscription_update", lines });
      expect(r.status).toBe(200);
      bodies.push(r.body);
    }
    // Only the first upgrade adds (500 − 200); the downgrades' invoices are negative and grant nothing.
    expect(bodies.map((b) => JSON.parse(b).outcome)).toEqual(["granted 300 (pro, subscription_update)", "granted 0 (creator, subscription_update)", "granted 0 (pro, subscription_update)", "granted 0 (creator, subscription_update)"]);
    expect(await allowanceByPeriod(u.uid)).toEqual({ [end]: 500 });
    expect(await userDoc(u.uid)).toMatchObject({ credits: 500, plan: { periodStart: expect.anything() } });
    expect((await userDoc(u.uid)).plan.periodStart.toDate().toISOString()).toBe(start);
    await expectInvariants(u.uid);
  });

  it("an upgrade invoice delivered before the period's first invoice still grants the largest allowance only", async () => {
    const u = await createTestUser({ credits: 0, prefix: "prorateorder" });
    const now = Date.now();
    const [start, end] = [iso(now - 10 * DAY), iso(now + 20 * DAY)];
    const sub = { uid: u.uid, subscription: `sub_${u.uid}`, periodStart: start, periodEnd: end };
    const lines = planChangeLines({ from: "creator", to: "pro", at: iso(now - DAY), start, end });
    await sendEvent("invoice.paid", { ...sub, plan: "pro", invoice: `in1_${u.uid}`, reason: "subscription_update", lines });
    await sendEvent("invoice.paid", { ...sub, invoice: `in0_${u.uid}`, reason: "subscription_create" });
    expect(await allowanceByPeriod(u.uid)).toEqual({ [end]: 500 });
    await expectInvariants(u.uid);
  });
});

describe("plan changes under create_prorations", () => {
  it("the next cycle's invoice grants the new period's allowance, live until its end, whatever order its lines come in", async () => {
    const u = await createTestUser({ credits: 0, prefix: "prorcycle" });
    const now = Date.now();
    const [p0, p1, p2] = [iso(now - 30 * DAY - 3_600_000), iso(now - 3_600_000), iso(now + 30 * DAY - 3_600_000)];
    const sub = { uid: u.uid, subscription: `sub_${u.uid}` };
    await sendEvent("invoice.paid", { ...sub, invoice: `in0_${u.uid}`, reason: "subscription_create", periodStart: p0, periodEnd: p1 });
    // Upgraded mid-period with no invoice; the prorations arrive with the cycle, after the new period's line.
    const prorations = planChangeLines({ from: "creator", to: "pro", at: iso(now - 15 * DAY), start: p0, end: p1, via: "invoice_item" });
    const lines = [{ plan: "pro", start: p1, end: p2 }, ...prorations];
    const r = await sendEvent("invoice.paid", { ...sub, plan: "pro", invoice: `in1_${u.uid}`, reason: "subscription_cycle", lines });
    expect(JSON.parse(r.body).outcome).toBe("granted 500 (pro, subscription_cycle)");
    expect(await allowanceByPeriod(u.uid)).toEqual({ [p1]: 200, [p2]: 500 });
    const doc = await userDoc(u.uid);
    expect(doc.credits).toBe(500);
    expect(doc.plan.periodEnd.toDate().toISOString()).toBe(p2);
    await expectInvariants(u.uid);
  });
});
