// Plans without Stripe: setUserPlan over HTTP (audited), renewPlans idempotent per user and
// period, and the races the issue names: a renewal racing a spend, an expiry racing a refund.
import { callFunction, createTestUser, db, signIn } from "../../../test-support/emulator";
import { renewPlans, renewUser } from "../../src/billing/renew";
import { setUserPlan } from "../../src/billing/setPlan";
import { sweepExpiredGrants } from "../../src/ledger/grants/expirySweep";
import { refundIfOwed } from "../../src/ledger/refund";
import { firestore } from "../../src/shared/firestore";
import { config } from "../../src/config";
import { prepareCreate } from "../../src/requests/create";
import { commitCreates } from "../../src/requests/optimisticCommit";
import { CAT, create, DAY, expectInvariants, ledgerOf, seedBilling, userDoc } from "./helpers";

beforeAll(seedBilling);
const exists = async () => true;
const admin = { actor: "admin:test", auditActor: { uid: "test", role: "admin", via: "cli" as const } };

it("setUserPlan over HTTP: the plan, its limits and its allowance, audited; unknown plans are 404", async () => {
  const u = await createTestUser({ credits: 5, prefix: "plan" });
  const adminToken = await signIn("admin@example.com");
  const r = await callFunction("setUserPlan", { token: adminToken, body: { userId: u.uid, planId: "creator", reason: "invoiced outside Stripe" } });
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ userId: u.uid, planId: "creator", grantedCredits: 200 });
  const doc = await userDoc(u.uid);
  expect(doc).toMatchObject({ credits: 205, modelSlots: 3, ratePerMinute: 30, plan: { id: "creator", status: "active", source: "admin" } });
  const audit = await db().collection("auditLog").where("target.userId", "==", u.uid).get();
  expect(audit.docs.map((a) => a.get("action"))).toEqual(["plan.set"]);
  expect((await callFunction("setUserPlan", { token: adminToken, body: { userId: u.uid, planId: "gold", reason: "nope" } })).status).toBe(404);
  expect((await callFunction("setUserPlan", { token: u.token, body: { userId: u.uid, planId: "pro", reason: "self-upgrade" } })).status).toBe(403);
  const credits = await callFunction("getUserCredits", { token: u.token });
  expect(credits.body).toMatchObject({ currentCredits: 205, plan: { id: "creator", status: "active" }, debt: 0 });
  expect(credits.body.grants.map((g: any) => [g.source, g.remaining])).toEqual([["plan", 200], ["admin", 5]]);
  await expectInvariants(u.uid);
});

it("renewPlans run twice (and concurrently) for one period grants once; the old allowance expires", async () => {
  const u = await createTestUser({ credits: 0, prefix: "renew" });
  const start = new Date(Date.now() - 31 * DAY);
  await setUserPlan(firestore(), { userId: u.uid, planId: "creator", reason: "t", ...admin }, exists, start);
  const now = new Date();
  // Two renewals and the scheduled sweep (scoped to this test's user) race; one of them renews.
  const [a, b, sweep] = await Promise.all([renewUser(firestore(), u.uid, now), renewUser(firestore(), u.uid, now), renewPlans(firestore(), now, 200, { userIds: [u.uid] })]);
  expect([a.renewed, b.renewed].filter(Boolean).length + sweep.renewed).toBe(1);
  // Renewed, the user is no longer due.
  expect(await renewPlans(firestore(), now, 200, { userIds: [u.uid] })).toEqual({ users: 0, renewed: 0, credits: 0 });
  expect(await renewUser(firestore(), u.uid, now)).toEqual({ renewed: false, granted: 0 });
  const entries = await ledgerOf(u.uid);
  expect(entries.filter((e) => e.type === "grant").map((e) => e.amount)).toEqual([200, 200]);
  expect(entries.filter((e) => e.type === "expire").map((e) => e.amount)).toEqual([-200]);
  expect(await userDoc(u.uid)).toMatchObject({ credits: 200 });
  await expectInvariants(u.uid);
});

it("a renewal racing spends keeps every invariant", async () => {
  const u = await createTestUser({ credits: 0, prefix: "race" });
  await setUserPlan(firestore(), { userId: u.uid, planId: "creator", reason: "t", ...admin }, exists, new Date(Date.now() - 31 * DAY));
  const results = await Promise.all([
    renewUser(firestore(), u.uid, new Date()),
    ...Array.from({ length: 6 }, (_, i) => create(u.token, `race ${i}`)),
  ]);
  expect(results.slice(1).every((r: any) => r.status === 201 || r.status === 402)).toBe(true);
  // The renewal landed (a create after the race spends from it), and every accepted create was charged once.
  expect(results[0]).toMatchObject({ renewed: true, granted: expect.any(Number) });
  const after: any = await create(u.token, "after the race");
  expect(after.status).toBe(201);
  const accepted = [...results.slice(1), after].filter((r: any) => r.status === 201).map((r: any) => r.body.generationRequestId);
  const debits = (await db().collection(`users/${u.uid}/ledger`).where("type", "==", "debit").get()).docs.map((d) => d.get("requestId"));
  expect(debits.sort()).toEqual([...accepted].sort());
  await expectInvariants(u.uid);
});

it("an expiry racing a refund keeps every invariant; the expired share is forfeited, once", async () => {
  const u = await createTestUser({ credits: 0, prefix: "exp" });
  const adminToken = await signIn("admin@example.com");
  const later = new Date(Date.now() + DAY).toISOString();
  const granted = await callFunction("grantCredits", { token: adminToken, body: { userId: u.uid, amount: 5, reason: "short promo", source: "promo", expiresAt: later } });
  const made = await create(u.token, "to be failed");
  expect(made.status).toBe(201);
  const id = made.body.generationRequestId;
  await db().doc(`generationRequests/${id}`).update({ status: "failed", error: { code: "TEST", message: "injected" } });
  // Time passes (stored state moved, not a wait): the promo's expiry is now in the past. In a
  // transaction: the status change above starts the refund trigger, which may be writing the
  // same user document right now, and a plain read-then-update would undo its refund.
  const past = new Date(Date.now() - 1000);
  await db().runTransaction(async (tx) => {
    const userRef = db().doc(`users/${u.uid}`);
    const grants = (await tx.get(userRef)).get("grants") as Record<string, unknown>[];
    tx.update(userRef, { grants: grants.map((g) => ({ ...g, expiresAt: past })), nextExpiryAt: past });
    tx.update(db().doc(`users/${u.uid}/grants/${granted.body.entryId}`), { expiresAt: past });
  });
  await Promise.all([refundIfOwed(firestore(), id, "test"), sweepExpiredGrants(firestore(), new Date(), 50, { userIds: [u.uid] }), refundIfOwed(firestore(), id, "test")]);
  const entries = await ledgerOf(u.uid);
  expect(entries.filter((e) => e.type === "refund")).toHaveLength(1);
  expect(entries.filter((e) => e.type === "expire")).toHaveLength(1);
  expect((await userDoc(u.uid)).credits).toBe(0);
  await expectInvariants(u.uid);
});

it("the plan's rate limit per minute applies to the user's creates (free: 10)", async () => {
  const u = await createTestUser({ credits: 30, prefix: "rate" });
  await setUserPlan(firestore(), { userId: u.uid, planId: "free", reason: "t", ...admin }, exists);
  // The create's own validation and commit, with the commit's clock held at one instant: all 11
  // fall in one window however slowly a loaded machine runs them (over HTTP they raced the minute).
  const caller = { uid: u.uid, role: "user", via: "id-token" } as const;
  const before = (await userDoc(u.uid)).credits;
  const at = new Date();
  const outcomes: string[] = [];
  for (let i = 0; i < 11; i++) {
    const item = await prepareCreate(firestore(), caller, { ...CAT, prompt: `rate ${i}` });
    const [o] = await commitCreates(firestore(), u.uid, [item], { defaultPerMinute: config().MAX_CREATES_PER_MINUTE, now: () => at });
    outcomes.push(o.kind === "refused" ? o.error.code : o.kind);
  }
  expect(outcomes).toEqual([...Array(10).fill("created"), "RATE_LIMITED"]);
  expect((await userDoc(u.uid)).credits).toBe(before - 10);
  await expectInvariants(u.uid);
});
