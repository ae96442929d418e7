// Review 2, F3, over HTTP: setUserPlan repeated on one day must not wipe the allowance. Setting
// the plan already in force is a replay (nothing moves); an idempotencyKey makes a retried call
// answer what the first one did; each real change ends the old allowance and grants the new one.
import { callFunction, createTestUser, db, signIn } from "../../../test-support/emulator";
import { renewUser } from "../../src/billing/renew";
import { setUserPlan } from "../../src/billing/setPlan";
import { firestore } from "../../src/shared/firestore";
import { DAY, expectInvariants, ledgerOf, seedBilling, userDoc } from "./helpers";

beforeAll(seedBilling);
const admin = { actor: "admin:test", auditActor: { uid: "test", role: "admin", via: "cli" as const } };
const setPlan = async (body: Record<string, unknown>) => callFunction("setUserPlan", { token: await signIn("admin@example.com"), body: { reason: "invoiced outside Stripe", ...body } });
const live = async (uid: string) => ((await userDoc(uid)).grants as { source: string; remaining: number }[]).filter((g) => g.source === "plan").map((g) => g.remaining);
const audits = async (uid: string) => (await db().collection("auditLog").where("target.userId", "==", uid).get()).size;

it("a retry after a timeout (same idempotencyKey, also concurrent) answers the first call's result and moves nothing", async () => {
  const u = await createTestUser({ credits: 0, prefix: "planretry" });
  const body = { userId: u.uid, planId: "creator", idempotencyKey: `ticket-${u.uid}` };
  const first = await setPlan(body);
  expect(first.status).toBe(200);
  expect(first.body).toMatchObject({ planId: "creator", grantedCredits: 200, replayed: false });
  const again = await Promise.all([setPlan(body), setPlan(body)]);
  expect(again.map((r) => r.status)).toEqual([200, 200]);
  for (const r of again) expect(r.body).toEqual({ ...first.body, replayed: true });
  // The same key for another plan is a mistake, said so.
  expect((await setPlan({ ...body, planId: "pro" })).status).toBe(409);
  expect(await live(u.uid)).toEqual([200]);
  expect((await ledgerOf(u.uid)).map((e) => e.type)).toEqual(["grant"]);
  expect(await audits(u.uid)).toBe(1);
  await expectInvariants(u.uid);
});

it("setting the plan already in force without a key is a replay: the allowance stays", async () => {
  const u = await createTestUser({ credits: 0, prefix: "planagain" });
  await setPlan({ userId: u.uid, planId: "creator" });
  const again = await setPlan({ userId: u.uid, planId: "creator" });
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ planId: "creator", grantedCredits: 0, replayed: true });
  expect(await live(u.uid)).toEqual([200]);
  expect((await userDoc(u.uid)).credits).toBe(200);
  await expectInvariants(u.uid);
});

it("creator → pro → creator on one day ends with the creator allowance", async () => {
  const u = await createTestUser({ credits: 0, prefix: "planswitch" });
  for (const planId of ["creator", "pro", "creator"]) expect((await setPlan({ userId: u.uid, planId })).body).toMatchObject({ planId, replayed: false });
  expect(await live(u.uid)).toEqual([200]);
  expect(await userDoc(u.uid)).toMatchObject({ credits: 200, plan: { id: "creator" } });
  expect((await ledgerOf(u.uid)).filter((e) => e.type === "expire").map((e) => e.amount).sort()).toEqual([-200, -500]);
  await expectInvariants(u.uid);
});

it("re-setting the plan on its renewal day keeps the renewed allowance", async () => {
  const u = await createTestUser({ credits: 0, prefix: "planrenew" });
  await setUserPlan(firestore(), { userId: u.uid, planId: "creator", reason: "t", ...admin }, async () => true, new Date(Date.now() - 31 * DAY));
  expect(await renewUser(firestore(), u.uid, new Date())).toMatchObject({ renewed: true, granted: 200 });
  const r = await setPlan({ userId: u.uid, planId: "creator" });
  expect(r.body).toMatchObject({ grantedCredits: 0, replayed: true });
  expect(await live(u.uid)).toEqual([200]);
  expect((await userDoc(u.uid)).credits).toBe(200);
  await expectInvariants(u.uid);
});
