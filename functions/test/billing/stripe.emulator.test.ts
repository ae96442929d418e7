// Issue 16's acceptance over HTTP: signed Stripe events posted to the stripeWebhook function in
// the Functions emulator, creates through createGenerationRequest, checked in Firestore.
import { createTestUser, db } from "../../../test-support/emulator";
import { create, DAY, expectInvariants, ledgerOf, seedBilling, sendEvent, userDoc } from "./helpers";
import { standInCalls, traceInvoicePayment } from "./stripeStandIn";

beforeAll(seedBilling);

describe("pack purchase", () => {
  it("grants once when its events arrive twice, concurrently, and through both event types", async () => {
    const u = await createTestUser({ credits: 0, prefix: "pack" });
    const o = { uid: u.uid, pack: "pack-100", session: `cs_${u.uid}`, paymentIntent: `pi_${u.uid}` };
    const sent = await Promise.all([
      sendEvent("checkout.session.completed", o), sendEvent("checkout.session.completed", o),
      sendEvent("checkout.session.async_payment_succeeded", o), sendEvent("checkout.session.completed", { ...o, eventId: "evt_same" }),
    ]);
    expect(sent.map((s) => s.status)).toEqual([200, 200, 200, 200]);
    const grants = (await ledgerOf(u.uid)).filter((e) => e.type === "grant");
    expect(grants.map((g) => [g.id, g.amount])).toEqual([[`pack-cs_${u.uid}`, 100]]);
    expect((await userDoc(u.uid)).credits).toBe(100);
    await expectInvariants(u.uid);
  });

  it("an unpaid session grants nothing until async_payment_succeeded", async () => {
    const u = await createTestUser({ credits: 0, prefix: "async" });
    const o = { uid: u.uid, session: `cs_${u.uid}`, paymentIntent: `pi_${u.uid}` };
    expect((await sendEvent("checkout.session.completed", { ...o, paymentStatus: "unpaid" })).status).toBe(200);
    expect((await userDoc(u.uid)).credits).toBe(0);
    expect((await sendEvent("checkout.session.async_payment_succeeded", o)).status).toBe(200);
    expect((await userDoc(u.uid)).credits).toBe(100);
  });

  it("a bad signature, a tampered body and a stale timestamp are 400 with nothing granted; an unknown customer is 200", async () => {
    const u = await createTestUser({ credits: 0, prefix: "sig" });
    const o = { uid: u.uid, session: `cs_${u.uid}`, paymentIntent: `pi_${u.uid}` };
    const bad = await sendEvent("checkout.session.completed", o, { secret: "whsec_not_the_one" });
    const tampered = await sendEvent("checkout.session.completed", o, { tamper: true });
    const stale = await sendEvent("checkout.session.completed", o, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect([bad.status, tampered.status, stale.status]).toEqual([400, 400, 400]);
    expect(await ledgerOf(u.uid)).toHaveLength(0);
    const stranger = await sendEvent("checkout.session.completed", { ...o, uid: "nobody_at_all" });
    expect(stranger.status).toBe(200);
    expect(stranger.body).toContain("unknown customer");
  });
});

describe("refunds and disputes", () => {
  it("a full refund after the credits were spent leaves debt that blocks paid creates until a new purchase pays it off", async () => {
    const u = await createTestUser({ credits: 0, prefix: "debt" });
    const pi = `pi_${u.uid}`;
    await sendEvent("checkout.session.completed", { uid: u.uid, session: `cs1_${u.uid}`, paymentIntent: pi });
    for (let i = 0; i < 3; i++) expect((await create(u.token, `spend ${i}`)).status).toBe(201);
    // Refunded in two steps: amount_refunded is cumulative, so the second claws back only the rest.
    expect((await sendEvent("charge.refunded", { charge: `ch_${u.uid}`, paymentIntent: pi, amount: 1000, amountRefunded: 500 })).status).toBe(200);
    expect((await sendEvent("charge.refunded", { charge: `ch_${u.uid}`, paymentIntent: pi, amount: 1000, amountRefunded: 1000 })).status).toBe(200);
    expect((await sendEvent("charge.refunded", { charge: `ch_${u.uid}`, paymentIntent: pi, amount: 1000, amountRefunded: 1000 })).status).toBe(200);
    const after = await userDoc(u.uid);
    expect(after).toMatchObject({ credits: -3, debt: 3, debtBlocks: true });
    const blocked = await create(u.token, "blocked");
    expect(blocked.status).toBe(402);
    expect(blocked.body.error.message).toMatch(/owes 3 credits/);
    await sendEvent("checkout.session.completed", { uid: u.uid, session: `cs2_${u.uid}`, paymentIntent: `pi2_${u.uid}` });
    expect(await userDoc(u.uid)).toMatchObject({ credits: 97, debt: 0 });
    expect((await create(u.token, "paid off")).status).toBe(201);
    expect((await ledgerOf(u.uid)).filter((e) => e.type === "clawback").map((e) => e.amount).sort()).toEqual([-50, -50]);
    await expectInvariants(u.uid);
  });

  it("a refund that arrives before its grant converges to the same state", async () => {
    const u = await createTestUser({ credits: 0, prefix: "early" });
    const pi = `pi_${u.uid}`;
    await sendEvent("charge.refunded", { charge: `ch_${u.uid}`, paymentIntent: pi, amount: 1000, amountRefunded: 1000 });
    await sendEvent("checkout.session.completed", { uid: u.uid, session: `cs_${u.uid}`, paymentIntent: pi });
    expect(await userDoc(u.uid)).toMatchObject({ credits: 0, debt: 0 });
    await expectInvariants(u.uid);
  });

  it("a dispute claws back and freezes paid creates; won, it reinstates and unfreezes", async () => {
    const u = await createTestUser({ credits: 0, prefix: "dispute" });
    const pi = `pi_${u.uid}`;
    await sendEvent("checkout.session.completed", { uid: u.uid, session: `cs_${u.uid}`, paymentIntent: pi });
    expect((await create(u.token, "before")).status).toBe(201);
    await Promise.all([sendEvent("charge.dispute.created", { dispute: `dp_${u.uid}`, paymentIntent: pi }), sendEvent("charge.dispute.created", { dispute: `dp_${u.uid}`, paymentIntent: pi })]);
    expect(await userDoc(u.uid)).toMatchObject({ credits: -1, openDisputes: [`dp_${u.uid}`] });
    const frozen = await create(u.token, "frozen");
    expect(frozen.status).toBe(409);
    await sendEvent("charge.dispute.closed", { dispute: `dp_${u.uid}`, paymentIntent: pi, status: "won" });
    await sendEvent("charge.dispute.closed", { dispute: `dp_${u.uid}`, paymentIntent: pi, status: "won" });
    expect(await userDoc(u.uid)).toMatchObject({ credits: 99, debt: 0, openDisputes: [] });
    expect((await create(u.token, "after")).status).toBe(201);
    await expectInvariants(u.uid);
  });
});

describe("a payment's events out of order", () => {
  it("a dispute delivered before its purchase is applied by the purchase; a close delivered before its opening holds", async () => {
    const [a, b] = await Promise.all([createTestUser({ credits: 0, prefix: "dpfirst" }), createTestUser({ credits: 0, prefix: "dpclose" })]);
    // a: the dispute's opening arrives before the checkout that paid.
    expect((await sendEvent("charge.dispute.created", { dispute: `dp_${a.uid}`, paymentIntent: `pi_${a.uid}` })).status).toBe(200);
    await sendEvent("checkout.session.completed", { uid: a.uid, session: `cs_${a.uid}`, paymentIntent: `pi_${a.uid}` });
    expect(await userDoc(a.uid)).toMatchObject({ credits: 0, openDisputes: [`dp_${a.uid}`] });
    expect((await create(a.token, "frozen")).status).toBe(409);
    await sendEvent("charge.dispute.closed", { dispute: `dp_${a.uid}`, paymentIntent: `pi_${a.uid}`, status: "won" });
    expect(await userDoc(a.uid)).toMatchObject({ credits: 100, openDisputes: [] });
    // b: bought, spent one, lost a dispute whose close arrives before its opening: the credits
    // are gone (the one spent is debt) and creates are not paused by a dispute that is over.
    await sendEvent("checkout.session.completed", { uid: b.uid, session: `cs_${b.uid}`, paymentIntent: `pi_${b.uid}` });
    expect((await create(b.token, "spent")).status).toBe(201);
    await sendEvent("charge.dispute.closed", { dispute: `dp_${b.uid}`, paymentIntent: `pi_${b.uid}`, status: "lost" });
    const late = await sendEvent("charge.dispute.created", { dispute: `dp_${b.uid}`, paymentIntent: `pi_${b.uid}` });
    expect(late.body).toContain("already recorded");
    const after = await userDoc(b.uid);
    expect(after).toMatchObject({ credits: -1, debt: 1 });
    expect(after.openDisputes ?? []).toEqual([]);
    expect((await ledgerOf(b.uid)).filter((e) => e.type === "clawback").map((e) => [e.id, e.amount])).toEqual([[`dispute-dp_${b.uid}`, -100]]);
    await Promise.all([expectInvariants(a.uid), expectInvariants(b.uid)]);
  });

  it("the full refund delivered before the partial one, both before the purchase, takes the whole pack, once", async () => {
    const u = await createTestUser({ credits: 0, prefix: "refundorder" });
    const pi = `pi_${u.uid}`;
    await sendEvent("charge.refunded", { charge: `ch_${u.uid}`, paymentIntent: pi, amount: 1000, amountRefunded: 1000 });
    await sendEvent("charge.refunded", { charge: `ch_${u.uid}`, paymentIntent: pi, amount: 1000, amountRefunded: 500 });
    await sendEvent("checkout.session.completed", { uid: u.uid, session: `cs_${u.uid}`, paymentIntent: pi });
    expect(await userDoc(u.uid)).toMatchObject({ credits: 0, debt: 0 });
    expect((await ledgerOf(u.uid)).filter((e) => e.type === "clawback").map((e) => e.amount)).toEqual([-100]);
    await expectInvariants(u.uid);
  });
});

describe("refunds and disputes of subscription payments", () => {
  const period = () => ({ periodStart: new Date(Date.now() - 3_600_000).toISOString(), periodEnd: new Date(Date.now() + 30 * DAY).toISOString() });

  it("a refunded invoice gives back its share of the period's allowance, traced through Stripe's invoice payments", async () => {
    const u = await createTestUser({ credits: 0, prefix: "invrefund" });
    const [pi, invoice] = [`pi_${u.uid}`, `in_${u.uid}`];
    await sendEvent("invoice.paid", { uid: u.uid, subscription: `sub_${u.uid}`, invoice, reason: "subscription_create", ...period() });
    expect((await userDoc(u.uid)).credits).toBe(200);
    await traceInvoicePayment(pi, { invoiceId: invoice, uid: u.uid });
    const half = await sendEvent("charge.refunded", { charge: `ch_${u.uid}`, paymentIntent: pi, amount: 2000, amountRefunded: 1000 });
    expect(half.body).toContain(`clawback-ch_${u.uid}-1000 -100`);
    expect((await userDoc(u.uid)).credits).toBe(100);
    const clawback = (await ledgerOf(u.uid)).find((e) => e.type === "clawback")!;
    expect(clawback.draws).toEqual([{ grantId: `invoice-${invoice}`, amount: 100 }]);
    // Asked once: the payment is placed from Firestore from then on.
    await sendEvent("charge.refunded", { charge: `ch_${u.uid}`, paymentIntent: pi, amount: 2000, amountRefunded: 2000 });
    expect((await userDoc(u.uid)).credits).toBe(0);
    const asked = (await standInCalls()).filter((c) => c.path === "/v1/invoice_payments" && c.form["payment[payment_intent]"] === pi);
    expect(asked).toHaveLength(1);
    await expectInvariants(u.uid);
  });

  it("a dispute traced to an invoice not granted yet is applied by the invoice's grant; lost, creates resume and the allowance stays taken", async () => {
    const u = await createTestUser({ credits: 0, prefix: "invdispute" });
    const [pi, invoice] = [`pi_${u.uid}`, `in_${u.uid}`];
    await traceInvoicePayment(pi, { invoiceId: invoice, uid: u.uid });
    const early = await sendEvent("charge.dispute.created", { dispute: `dp_${u.uid}`, paymentIntent: pi, amount: 2000 });
    expect(early.body).toContain("applied when its grant arrives");
    await sendEvent("invoice.paid", { uid: u.uid, subscription: `sub_${u.uid}`, invoice, reason: "subscription_create", ...period() });
    expect(await userDoc(u.uid)).toMatchObject({ credits: 0, openDisputes: [`dp_${u.uid}`] });
    expect((await create(u.token, "frozen")).status).toBe(409);
    await sendEvent("charge.dispute.closed", { dispute: `dp_${u.uid}`, paymentIntent: pi, status: "lost" });
    expect(await userDoc(u.uid)).toMatchObject({ credits: 0, debt: 0, openDisputes: [] });
    expect((await ledgerOf(u.uid)).filter((e) => e.type === "clawback").map((e) => [e.id, e.amount])).toEqual([[`dispute-dp_${u.uid}`, -200]]);
    await expectInvariants(u.uid);
  });

  it("a refund of a payment Stripe places nowhere is recorded and answered 200, moving nothing", async () => {
    const u = await createTestUser({ credits: 5, prefix: "invnone" });
    const r = await sendEvent("charge.refunded", { charge: `ch_${u.uid}`, paymentIntent: `pi_unknown_${u.uid}`, amount: 2000, amountRefunded: 2000 });
    expect(r.status).toBe(200);
    expect(r.body).toContain("applied when its grant arrives");
    expect((await userDoc(u.uid)).credits).toBe(5);
  });
});

describe("subscription lifecycle", () => {
  it("create → renew twice → upgrade → cancel: allowances, expiries and plan states; pack credits survive; plan credits are spent first", async () => {
    const u = await createTestUser({ credits: 0, prefix: "sub" });
    const now = Date.now();
    const b = [now - 60 * DAY, now - 30 * DAY, now - 3_600_000, now + 30 * DAY].map((t) => new Date(t).toISOString());
    const sub = { uid: u.uid, subscription: `sub_${u.uid}` };
    // Out of order as seen in the wild: the invoice before the subscription.
    expect((await sendEvent("invoice.paid", { ...sub, invoice: `in0_${u.uid}`, reason: "subscription_create", periodStart: b[0], periodEnd: b[1] })).status).toBe(200);
    await sendEvent("customer.subscription.created", { ...sub, periodStart: b[0], periodEnd: b[1], created: Math.floor(now / 1000) - 100 });
    await sendEvent("invoice.payment_succeeded", { ...sub, invoice: `in0_${u.uid}`, reason: "subscription_create", periodStart: b[0], periodEnd: b[1] });
    await sendEvent("checkout.session.completed", { uid: u.uid, session: `cs_${u.uid}`, paymentIntent: `pi_${u.uid}` });
    for (const [i, [s, e]] of [[b[1], b[2]], [b[2], b[3]]].entries()) {
      await sendEvent("invoice.paid", { ...sub, invoice: `in${i + 1}_${u.uid}`, reason: "subscription_cycle", periodStart: s, periodEnd: e });
    }
    await sendEvent("customer.subscription.updated", { ...sub, periodStart: b[2], periodEnd: b[3], created: Math.floor(now / 1000) - 50 });
    let doc = await userDoc(u.uid);
    // Two allowances expired unspent; the current one (200) and the pack (100) are live.
    expect(doc.credits).toBe(300);
    const expired = (await ledgerOf(u.uid)).filter((e) => e.type === "expire");
    expect(expired.map((e) => e.amount)).toEqual([-200, -200]);
    expect(doc.grants.map((g: any) => [g.source, g.remaining])).toEqual(expect.arrayContaining([["plan", 200], ["pack", 100]]));
    expect(doc.plan).toMatchObject({ id: "creator", status: "active", source: "stripe" });
    // Spend order: the plan allowance (it expires) before the pack.
    const spent = await create(u.token, "plan first");
    expect(spent.status).toBe(201);
    const debit = (await ledgerOf(u.uid)).find((e) => e.id === `debit-${spent.body.generationRequestId}`)!;
    expect(debit.draws).toEqual([{ grantId: `invoice-in2_${u.uid}`, amount: 1 }]);
    // Upgrade to pro mid-period: the difference (500 − 200) for this period, plan and slots follow.
    await sendEvent("invoice.paid", { ...sub, plan: "pro", invoice: `in3_${u.uid}`, reason: "subscription_update", periodStart: b[2], periodEnd: b[3] });
    await sendEvent("customer.subscription.updated", { ...sub, plan: "pro", periodStart: b[2], periodEnd: b[3], created: Math.floor(now / 1000) });
    // A stale update (older than the upgrade) changes nothing.
    await sendEvent("customer.subscription.updated", { ...sub, plan: "creator", periodStart: b[2], periodEnd: b[3], created: Math.floor(now / 1000) - 10 });
    doc = await userDoc(u.uid);
    expect(doc.credits).toBe(599);
    expect(doc).toMatchObject({ plan: { id: "pro", status: "active" }, modelSlots: 10 });
    // Cancel at period end, then Stripe deletes it: back to free.
    await sendEvent("customer.subscription.updated", { ...sub, plan: "pro", cancelAtPeriodEnd: true, periodStart: b[2], periodEnd: b[3], created: Math.floor(now / 1000) + 1 });
    expect((await userDoc(u.uid)).plan.status).toBe("cancelling");
    await sendEvent("customer.subscription.deleted", { ...sub, plan: "pro", periodStart: b[2], periodEnd: b[3], created: Math.floor(now / 1000) + 2 });
    doc = await userDoc(u.uid);
    expect(doc).toMatchObject({ plan: { id: "free", status: "active" }, modelSlots: 1 });
    await expectInvariants(u.uid);
  });
});

describe("livemode", () => {
  it("an event whose livemode differs from the API key's mode is answered 200 and moves nothing", async () => {
    // The emulator's key is a test-mode key (sk_test_…): a live event signed with this endpoint's secret is ignored.
    const u = await createTestUser({ credits: 0, prefix: "livemode" });
    const live = await sendEvent("checkout.session.completed", { uid: u.uid, session: `cs_${u.uid}`, paymentIntent: `pi_${u.uid}`, livemode: true });
    expect(live.status).toBe(200);
    expect(live.body).toContain("livemode true event, but the API key is a test-mode key");
    expect(await ledgerOf(u.uid)).toHaveLength(0);
    expect(await db().doc(`stripePayments/pi_${u.uid}`).get().then((d) => d.exists)).toBe(false);
    const test = await sendEvent("checkout.session.completed", { uid: u.uid, session: `cs_${u.uid}`, paymentIntent: `pi_${u.uid}` });
    expect(test.body).toContain("granted 100");
  });
});
