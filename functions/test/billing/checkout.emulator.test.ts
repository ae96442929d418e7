// createCheckoutSession over HTTP, with the functions' Stripe client pointed at a local stand-in
// that records what Stripe would have received.
import { callFunction, createTestUser } from "../../../test-support/emulator";
import { seedBilling } from "./helpers";
import { standInCalls } from "./stripeStandIn";

beforeAll(seedBilling);

/** The stand-in serves every test file at once: the calls made for this user. */
const callsFor = async (uid: string) => (await standInCalls()).filter((c) => Object.values(c.form).includes(uid));

it("a pack: a payment-mode session for the pack's allow-listed price, with the uid as client_reference_id and in metadata", async () => {
  const u = await createTestUser({ credits: 0, prefix: "co" });
  const r = await callFunction("createCheckoutSession", { token: u.token, body: { packId: "pack-500" } });
  expect(r.status).toBe(200);
  expect(r.body.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/checkout\/cs_test_standin_/);
  const [call] = await callsFor(u.uid);
  expect(call.path).toBe("/v1/checkout/sessions");
  expect(call.headers["stripe-version"]).toBe("2026-10-28.endive");
  expect(call.form).toMatchObject({
    mode: "payment", "line_items[0][price]": "price_pack_500", "line_items[0][quantity]": "1",
    client_reference_id: u.uid, "metadata[uid]": u.uid, "metadata[packId]": "pack-500",
  });
});

it("a plan: a subscription-mode session whose subscription carries the metadata too (so its invoices do)", async () => {
  const u = await createTestUser({ credits: 0, prefix: "co" });
  const r = await callFunction("createCheckoutSession", { token: u.token, body: { planId: "pro" } });
  expect(r.status).toBe(200);
  expect((await callsFor(u.uid))[0].form).toMatchObject({
    mode: "subscription", "line_items[0][price]": "price_pro_monthly", "subscription_data[metadata][uid]": u.uid, "subscription_data[metadata][planId]": "pro",
  });
});

it("refuses both or neither id, unknown packs, and plans not sold through Stripe, without calling Stripe", async () => {
  const u = await createTestUser({ credits: 0, prefix: "co" });
  const answers = await Promise.all([
    callFunction("createCheckoutSession", { token: u.token, body: { packId: "pack-100", planId: "pro" } }),
    callFunction("createCheckoutSession", { token: u.token, body: {} }),
    callFunction("createCheckoutSession", { token: u.token, body: { packId: "pack-9999" } }),
    callFunction("createCheckoutSession", { token: u.token, body: { planId: "free" } }),
  ]);
  expect(answers.map((a) => a.status)).toEqual([400, 400, 404, 409]);
  expect(await callsFor(u.uid)).toEqual([]);
});
