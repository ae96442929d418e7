// Buying offline, as `npm run dev` does it: createCheckoutSession → the Stripe stand-in's checkout
// page → Pay → the signed webhook it sends → the grant → back to the console; the customer
// portal's page cancels a plan. Money checked with the ledger after each step.
import { callFunction, createTestUser, db, ledgerState } from "../../../test-support/emulator";
import { until } from "../../../test-support/wait";
import { seedBilling } from "./helpers";

beforeAll(seedBilling);

const press = (url: string) => fetch(url, { method: "POST", redirect: "manual" });

async function checkoutPage(token: string, item: { packId: string } | { planId: string }) {
  const r = await callFunction("createCheckoutSession", { token, body: item });
  expect(r.status).toBe(200);
  const page = await (await fetch(r.body.url)).text();
  expect(page).toContain("Local Stripe stand-in");
  expect(page).toMatch(/<button type="submit">Pay<\/button>/);
  return { url: r.body.url as string, sessionId: r.body.sessionId as string };
}

it("a pack bought on the stand-in's page is granted once, even when its webhook is delivered twice", async () => {
  const u = await createTestUser({ credits: 0, prefix: "buy" });
  const { url, sessionId } = await checkoutPage(u.token, { packId: "pack-100" });
  const paid = await press(`${url}/pay`);
  expect(paid.status).toBe(303);
  expect(paid.headers.get("location")).toContain("checkout=success");
  expect((await ledgerState(u.uid)).credits).toBe(100);
  // Stripe delivers at least once: the same events again change nothing.
  const again = await fetch(`${new URL(url).origin}/__stand-in/redeliver/${sessionId}`, { method: "POST" });
  expect(again.status).toBe(200);
  const state = await ledgerState(u.uid);
  expect([state.credits, state.ledgerSum]).toEqual([100, 100]);
  expect(state.entries.filter((e: any) => e.type === "grant" && e.amount === 100)).toHaveLength(1);
  // Paying a completed session again only sends the user back.
  expect((await press(`${url}/pay`)).status).toBe(303);
  expect((await ledgerState(u.uid)).credits).toBe(100);
});

it("a plan subscribed on the stand-in's page grants its allowance; the portal's page cancels it at period end", async () => {
  const u = await createTestUser({ credits: 0, prefix: "buy" });
  expect((await callFunction("createPortalSession", { token: u.token, body: {} })).body.error.code).toBe("FAILED_PRECONDITION");
  const { url } = await checkoutPage(u.token, { planId: "creator" });
  expect((await press(`${url}/pay`)).status).toBe(303);
  const user = await until("the creator plan", async () => {
    const d = (await db().doc(`users/${u.uid}`).get()).data();
    return d?.plan?.id === "creator" ? d : undefined;
  });
  expect(user.plan).toMatchObject({ status: "active", source: "stripe", subscriptionId: expect.stringMatching(/^sub_standin_/) });
  expect((await ledgerState(u.uid)).credits).toBe(200);

  const portal = await callFunction("createPortalSession", { token: u.token, body: {} });
  expect(portal.status).toBe(200);
  const page = await (await fetch(portal.body.url)).text();
  expect(page).toContain("Local Stripe stand-in");
  const cancel = page.match(/action="(\/portal\/[^"]+\/cancel\/[^"]+)"/)![1];
  const done = await press(`${new URL(portal.body.url).origin}${cancel}`);
  expect(done.status).toBe(303);
  expect(done.headers.get("location")).toContain("portal=return");
  await until("cancelling", async () => ((await db().doc(`users/${u.uid}`).get()).get("plan.status") === "cancelling" ? true : undefined));
  const state = await ledgerState(u.uid);
  expect([state.credits, state.ledgerSum]).toEqual([200, 200]);
  expect((await fetch(portal.body.url)).status).toBe(200);
});
