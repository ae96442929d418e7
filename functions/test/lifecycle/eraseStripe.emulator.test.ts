// Issue 23 item 9: erasure stops billing. The erase step cancels the user's Stripe subscription
// and deletes the Stripe customer through the stand-in (scripts/lib/stripe-stand-in.mjs), and
// records what it did; every later event for the erased user answers 200 and moves nothing.
import { callFunction, createTestUser, db, signIn } from "../../../test-support/emulator";
import { config } from "../../src/config";
import { stripeClient } from "../../src/billing/stripe/client";
import { stripeStep } from "../../src/lifecycle/steps/stripe";
import { eraseContext } from "../../src/lifecycle/http";
import { DAY, expectInvariants, ledgerOf, seedBilling, sendEvent, userDoc } from "../billing/helpers";
import { registerSubscription, standInCalls } from "../billing/stripeStandIn";

let superToken: string;
beforeAll(async () => {
  await seedBilling();
  superToken = await signIn("superadmin@example.com");
});

const period = (from = Date.now() - 3_600_000) => ({ periodStart: new Date(from).toISOString(), periodEnd: new Date(from + 30 * DAY).toISOString() });

/** A creator subscriber (invoice granted, subscription in the stand-in) who also bought a pack. */
async function subscriber() {
  const u = await createTestUser({ credits: 0, prefix: "erasestripe" });
  const ids = { sub: `sub_${u.uid}`, customer: `cus_${u.uid}`, pi: `pi_${u.uid}` };
  await registerSubscription(ids.sub, { customer: ids.customer, uid: u.uid });
  expect((await sendEvent("invoice.paid", { uid: u.uid, subscription: ids.sub, invoice: `in0_${u.uid}`, reason: "subscription_create", ...period() })).status).toBe(200);
  expect((await sendEvent("checkout.session.completed", { uid: u.uid, session: `cs0_${u.uid}`, paymentIntent: ids.pi })).status).toBe(200);
  expect(await userDoc(u.uid)).toMatchObject({ credits: 300, plan: { subscriptionId: ids.sub } });
  return { ...u, ...ids };
}

const deletesOf = async (ids: string[]) => (await standInCalls()).filter((c) => c.method === "DELETE" && ids.some((id) => c.path.endsWith(`/${id}`))).map((c) => c.path);

describe("erasure and Stripe", () => {
  it("cancels the subscription, deletes the customer and records both; later events for the user move nothing", async () => {
    const u = await subscriber();
    const res = await callFunction("eraseUser", { token: superToken, body: { userId: u.uid, reason: "closing the account" } });
    expect(res.status).toBe(200);
    expect(res.body.stepsDone).toContain("stripe");
    expect(await deletesOf([u.sub, u.customer])).toEqual([`/v1/subscriptions/${u.sub}`, `/v1/customers/${u.customer}`]);
    expect((await db().doc(`erasures/${u.uid}`).get()).get("stripe")).toMatchObject({ subscriptionId: u.sub, subscription: "cancelled", customerId: u.customer, customer: "deleted" });

    const ledger = await ledgerOf(u.uid);
    const credits = (await userDoc(u.uid)).credits;
    const later = [
      await sendEvent("invoice.paid", { uid: u.uid, subscription: u.sub, invoice: `in1_${u.uid}`, reason: "subscription_cycle", ...period(Date.now() + 30 * DAY) }),
      await sendEvent("customer.subscription.deleted", { uid: u.uid, subscription: u.sub, ...period() }),
      await sendEvent("checkout.session.completed", { uid: u.uid, session: `cs1_${u.uid}`, paymentIntent: `pi1_${u.uid}` }),
      await sendEvent("charge.refunded", { charge: `ch_${u.uid}`, paymentIntent: u.pi, amount: 1000, amountRefunded: 1000 }),
      await sendEvent("charge.dispute.created", { dispute: `dp_${u.uid}`, paymentIntent: u.pi }),
    ];
    expect(later.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    for (const r of later) expect(r.body).toMatch(/erased/);
    expect(await ledgerOf(u.uid)).toEqual(ledger);
    expect((await userDoc(u.uid)).credits).toBe(credits);
    await expectInvariants(u.uid);
  });

  it("is idempotent, and a subscription the user had already cancelled still has its customer deleted", async () => {
    const u = await subscriber();
    await stripeClient(config()).subscriptions.cancel(u.sub);
    const res = await callFunction("eraseUser", { token: superToken, body: { userId: u.uid, reason: "closing the account" } });
    expect(res.status).toBe(200);
    expect((await db().doc(`erasures/${u.uid}`).get()).get("stripe")).toMatchObject({ subscription: "already-cancelled", customerId: u.customer, customer: "deleted" });
    // A second run of the step (as a resumed erasure would) asks Stripe nothing more.
    const before = await deletesOf([u.sub, u.customer]);
    await stripeStep.run(eraseContext(u.uid));
    expect(await deletesOf([u.sub, u.customer])).toEqual(before);
  });

  it("a user who never subscribed is recorded as having nothing to cancel", async () => {
    const u = await createTestUser({ credits: 0, prefix: "erasestripe" });
    expect((await callFunction("eraseUser", { token: superToken, body: { userId: u.uid, reason: "closing the account" } })).status).toBe(200);
    expect((await db().doc(`erasures/${u.uid}`).get()).get("stripe")).toMatchObject({ subscriptionId: null, subscription: "none", customer: "none" });
  });
});
