// Review 2, F4, against Firestore: a subscription's allowance is spent, its payment is refunded
// (the clawback books the spent credits as debt), then the jobs fail and are refunded: the
// refunds pay that debt off instead of reviving the allowance, so when the period ends the user
// is at 0 (as if the jobs had never run), not at −200 with paid creates refused.
import { createTestUser, db } from "../../../test-support/emulator";
import type { Caller } from "../../src/auth/caller";
import { expireUser } from "../../src/ledger/grants/expirySweep";
import { refundIfOwed } from "../../src/ledger/refund";
import { createGenerationRequest } from "../../src/requests/create";
import { firestore } from "../../src/shared/firestore";
import { create, DAY, expectInvariants, ledgerOf, seedBilling, sendEvent, userDoc } from "./helpers";
import { traceInvoicePayment } from "./stripeStandIn";

beforeAll(seedBilling);

it("allowance spent, payment refunded, jobs refunded, period ends: the user is at 0 and may create again", async () => {
  const u = await createTestUser({ credits: 0, prefix: "clawref" });
  const [pi, invoice] = [`pi_${u.uid}`, `in_${u.uid}`];
  const periodEnd = Date.now() + 30 * DAY;
  await sendEvent("invoice.paid", { uid: u.uid, subscription: `sub_${u.uid}`, invoice, reason: "subscription_create", periodStart: new Date(Date.now() - 3_600_000).toISOString(), periodEnd: new Date(periodEnd).toISOString() });
  expect((await userDoc(u.uid)).credits).toBe(200);
  // 25 jobs of 8 credits spend the whole allowance (in-process creates: the real create path).
  const caller: Caller = { uid: u.uid, role: "user", via: "id-token" };
  const jobs: string[] = [];
  for (let i = 0; i < 25; i++) {
    jobs.push((await createGenerationRequest(firestore(), caller, { model: "B", style: "anime", color: "muted", size: "512x512", prompt: `job ${i}`, numImages: 4 })).generationRequestId);
  }
  expect((await userDoc(u.uid)).credits).toBe(0);
  // The payment is refunded in full: nothing is left in the allowance, so all 200 become debt.
  await traceInvoicePayment(pi, { invoiceId: invoice, uid: u.uid });
  await sendEvent("charge.refunded", { charge: `ch_${u.uid}`, paymentIntent: pi, amount: 2000, amountRefunded: 2000 });
  expect(await userDoc(u.uid)).toMatchObject({ credits: -200, debt: 200, debtBlocks: true });
  // The jobs fail (the refund trigger may race these calls: a refund lands once either way).
  for (const id of jobs) {
    await db().doc(`generationRequests/${id}`).update({ status: "failed", error: { code: "TEST", message: "injected" } });
    await refundIfOwed(firestore(), id, "test");
  }
  const refunds = (await ledgerOf(u.uid)).filter((e) => e.type === "refund");
  expect(refunds).toHaveLength(25);
  expect(refunds.every((e) => e.draws!.every((d) => d.grantId === "debt"))).toBe(true);
  expect(await userDoc(u.uid)).toMatchObject({ credits: 0, debt: 0, debtBlocks: false });
  // The period ends: the allowance, already empty, expires nothing; no phantom debt remains.
  await expireUser(firestore(), u.uid, new Date(periodEnd + 1000));
  expect(await userDoc(u.uid)).toMatchObject({ credits: 0, debt: 0 });
  // Paid creates are refused for want of credits, not for debt; a purchase is spendable whole.
  const refused = await create(u.token, "no credits");
  expect(refused.status).toBe(402);
  expect(refused.body.error.message).not.toContain("owes");
  await sendEvent("checkout.session.completed", { uid: u.uid, session: `cs_${u.uid}`, paymentIntent: `pi2_${u.uid}` });
  expect((await userDoc(u.uid)).credits).toBe(100);
  expect((await create(u.token, "after the purchase")).status).toBe(201);
  await expectInvariants(u.uid);
});
