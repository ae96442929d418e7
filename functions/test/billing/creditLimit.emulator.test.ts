// Postpaid debt and credit limits against Firestore (issue 23 item 5, issue 29's gaps): an
// enterprise wallet draws into debt up to its creditLimit and not one credit past it under
// parallel creates; a refund of a debt draw paid off meanwhile comes back as a fresh grant; a
// downgrade that lowers the limit below what is owed, and a past_due or unpaid subscription
// (no credit limit until paid), turn the shortfall into blocking debt (docs/billing.md).
import { createTestUser, db } from "../../../test-support/emulator";
import type { Caller } from "../../src/auth/caller";
import { setUserPlan } from "../../src/billing/setPlan";
import { grantCredits } from "../../src/ledger/grant";
import { refundIfOwed } from "../../src/ledger/refund";
import { createGenerationRequest } from "../../src/requests/create";
import { firestore } from "../../src/shared/firestore";
import { create, DAY, expectInvariants, ledgerOf, seedBilling, sendEvent, userDoc } from "./helpers";

// The enterprise plan with a limit small enough for a test to reach (the seeded one allows 100000).
const SMALL = { displayName: "Enterprise (test limit)", monthlyCredits: 10, modelSlots: 50, ratePerMinute: 1000, creditLimit: 30, stripePriceId: null, enabled: true };
beforeAll(async () => {
  await seedBilling();
  await db().doc("plans/enterprise-small").set(SMALL);
});
const admin = { actor: "admin:test", auditActor: { uid: "test", role: "admin", via: "cli" as const } };
const exists = async () => true;
const callerOf = (uid: string): Caller => ({ uid, role: "user", via: "id-token" });
const createIn = (uid: string, prompt: string, model = "A", numImages = 1) =>
  createGenerationRequest(firestore(), callerOf(uid), { model, style: "anime", color: "muted", size: "512x512", prompt, numImages });
const codeOf = (err: unknown) => String((err as { code?: unknown }).code);

it("an enterprise wallet draws into postpaid debt up to creditLimit and not one credit past it, under parallel creates", async () => {
  const u = await createTestUser({ credits: 0, prefix: "postpaid" });
  await setUserPlan(firestore(), { userId: u.uid, planId: "enterprise-small", reason: "t", ...admin }, exists);
  expect(await userDoc(u.uid)).toMatchObject({ credits: 10, creditLimit: 30 });
  const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => createIn(u.uid, `parallel ${i}`).then(() => "created", codeOf)));
  // Contention may turn some away (UNAVAILABLE); then spend on one at a time until refused.
  for (let i = 0; outcomes.filter((o) => o === "created").length < 40 && i < 40; i++) outcomes.push(await createIn(u.uid, `serial ${i}`).then(() => "created", codeOf));
  expect(outcomes.filter((o) => o === "created")).toHaveLength(40);
  expect(outcomes.filter((o) => o !== "created" && o !== "UNAVAILABLE").every((o) => o === "INSUFFICIENT_CREDITS")).toBe(true);
  expect(await createIn(u.uid, "one past the limit").then(() => "created", codeOf)).toBe("INSUFFICIENT_CREDITS");
  expect(await userDoc(u.uid)).toMatchObject({ credits: -30, debt: 30, debtBlocks: false });
  const debits = (await ledgerOf(u.uid)).filter((e) => e.type === "debit") as unknown as { balanceAfter: number; draws: { grantId: string }[] }[];
  expect(Math.min(...debits.map((e) => e.balanceAfter))).toBe(-30);
  expect(debits.filter((e) => e.draws.some((d) => d.grantId === "debt"))).toHaveLength(30);
  await expectInvariants(u.uid);
});

it("a refund of a debt draw that was paid off meanwhile comes back as a fresh grant: the user ends where the job never ran", async () => {
  const u = await createTestUser({ credits: 0, prefix: "debtpaid" });
  await setUserPlan(firestore(), { userId: u.uid, planId: "enterprise-small", reason: "t", ...admin }, exists);
  await createIn(u.uid, "first", "B", 4); // 8 from the allowance (10)
  const second = (await createIn(u.uid, "second", "B", 4)).generationRequestId; // 2 from the allowance, 6 debt
  expect(await userDoc(u.uid)).toMatchObject({ credits: -6, debt: 6 });
  await grantCredits(firestore(), { userId: u.uid, amount: 100, reason: "invoice settled", actor: "test", auditActor: admin.auditActor }, exists);
  expect(await userDoc(u.uid)).toMatchObject({ credits: 94, debt: 0 });
  await db().doc(`generationRequests/${second}`).update({ status: "failed", error: { code: "TEST", message: "injected" } });
  await refundIfOwed(firestore(), second, "test");
  const refund = (await ledgerOf(u.uid)).find((e) => e.id === `refund-${second}`) as unknown as { amount: number; excessGrantId: string };
  expect(refund).toMatchObject({ amount: 8, excessGrantId: `grant-refund-${second}` });
  // Never ran: 10 − 8 = 2 left of the allowance, plus the 100.
  expect(await userDoc(u.uid)).toMatchObject({ credits: 102, debt: 0 });
  await expectInvariants(u.uid);
});

it("enterprise → free on customer.subscription.deleted: what is owed beyond the new limit (0) is blocking debt until a purchase pays it off", async () => {
  const u = await createTestUser({ credits: 0, prefix: "downlimit" });
  const now = Date.now();
  const sub = { uid: u.uid, subscription: `sub_${u.uid}`, plan: "enterprise", periodStart: new Date(now - 3_600_000).toISOString(), periodEnd: new Date(now + 30 * DAY).toISOString() };
  await sendEvent("invoice.paid", { ...sub, invoice: `in_${u.uid}`, reason: "subscription_create" });
  expect(await userDoc(u.uid)).toMatchObject({ credits: 1000, creditLimit: 100000 });
  await grantCredits(firestore(), { userId: u.uid, amount: -995, reason: "usage invoiced elsewhere", actor: "test", auditActor: admin.auditActor }, exists);
  for (const p of ["a", "b"]) expect((await create(u.token, p)).status).toBe(201);
  expect(await userDoc(u.uid)).toMatchObject({ credits: 3, debt: 0 });
  for (const p of ["c", "d", "e", "f", "g"]) await createIn(u.uid, p, "B", 4);
  expect(await userDoc(u.uid)).toMatchObject({ credits: -37, debt: 37 });
  await sendEvent("customer.subscription.deleted", { ...sub, created: Math.floor(now / 1000) + 5 });
  // Free's allowance (3) pays debt first; the rest stays owed and blocks paid creates.
  expect(await userDoc(u.uid)).toMatchObject({ plan: { id: "free" }, creditLimit: 0, credits: -34, debt: 34, debtBlocks: true });
  const refused = await create(u.token, "blocked");
  expect(refused.status).toBe(402);
  expect(refused.body.error.message).toMatch(/owes 34 credits/);
  await sendEvent("checkout.session.completed", { uid: u.uid, session: `cs_${u.uid}`, paymentIntent: `pi_${u.uid}` });
  expect(await userDoc(u.uid)).toMatchObject({ credits: 66, debt: 0, debtBlocks: false });
  expect((await create(u.token, "paid off")).status).toBe(201);
  await expectInvariants(u.uid);
});

it.each(["past_due", "unpaid"])("a %s subscription has no credit limit until paid: debt within the old limit blocks, the payment lifts it", async (status) => {
  const u = await createTestUser({ credits: 0, prefix: "pastdue" });
  const now = Date.now();
  const b = [now - 3_600_000, now + 30 * DAY, now + 60 * DAY].map((t) => new Date(t).toISOString());
  const sub = { uid: u.uid, subscription: `sub_${u.uid}`, plan: "enterprise" };
  await sendEvent("invoice.paid", { ...sub, invoice: `in1_${u.uid}`, reason: "subscription_create", periodStart: b[0], periodEnd: b[1] });
  await grantCredits(firestore(), { userId: u.uid, amount: -1000, reason: "usage invoiced elsewhere", actor: "test", auditActor: admin.auditActor }, exists);
  await createIn(u.uid, "postpaid", "B", 4);
  expect(await userDoc(u.uid)).toMatchObject({ credits: -8, creditLimit: 100000 });
  await sendEvent("customer.subscription.updated", { ...sub, status, periodStart: b[0], periodEnd: b[1], created: Math.floor(now / 1000) + 5 });
  expect(await userDoc(u.uid)).toMatchObject({ plan: { status: "past_due" }, creditLimit: 0, debtBlocks: true });
  expect((await create(u.token, "while past due")).status).toBe(402);
  // Paid: the next period's invoice restores the limit; its allowance pays the debt first.
  await sendEvent("invoice.paid", { ...sub, invoice: `in2_${u.uid}`, reason: "subscription_cycle", periodStart: b[1], periodEnd: b[2] });
  await sendEvent("customer.subscription.updated", { ...sub, periodStart: b[1], periodEnd: b[2], created: Math.floor(now / 1000) + 10 });
  expect(await userDoc(u.uid)).toMatchObject({ plan: { status: "active" }, creditLimit: 100000, credits: 992, debt: 0, debtBlocks: false });
  expect((await create(u.token, "paid again")).status).toBe(201);
  await expectInvariants(u.uid);
});
