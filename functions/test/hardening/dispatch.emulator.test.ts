// Issue 12 items 1 and 3: a dispatcher that cannot even be built never fails a paid create nor
// stops the sweeper's refunds; a refund the trigger never wrote is reconciled by the sweeper.
import { Timestamp } from "firebase-admin/firestore";
import { createTestUser, db, ledgerState } from "../../../test-support/emulator";
import { loadConfig } from "../../src/config";
import type { Dispatcher } from "../../src/dispatch/dispatcher";
import { sweepStuckRequests } from "../../src/dispatch/sweep";
import { sweepLimits } from "../../src/dispatch/sweepPlan";
import { createGenerationRequest } from "../../src/requests/create";
import { firestore } from "../../src/shared/firestore";
import { logged } from "../../../test-support/quiet-logs";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space" };
const limits = sweepLimits(loadConfig());
const unbuildable = (): Dispatcher => {
  throw new Error("cloud-tasks dispatch needs TASKS_SERVICE_ACCOUNT");
};
const caller = (uid: string) => ({ uid, role: "user" as const, via: "id-token" as const });

it("a create whose dispatcher cannot be built still answers 201, charges once and leaves the dispatch pending", async () => {
  const u = await createTestUser({ credits: 5, prefix: "disp" });
  const res = await createGenerationRequest(firestore(), caller(u.uid), CAT, { dispatcher: unbuildable });
  expect(res).toMatchObject({ deductedCredits: 1, currentCredits: 4, status: "queued", replayed: false });
  const doc = (await db().doc(`generationRequests/${res.generationRequestId}`).get()).data()!;
  expect(doc.dispatch).toMatchObject({ state: "pending", lastError: expect.stringContaining("TASKS_SERVICE_ACCOUNT") });
  expect(logged("warn")).toContainEqual(expect.objectContaining({ message: "dispatch failed; the sweeper will retry", fields: expect.objectContaining({ requestId: res.generationRequestId }) }));
  const state = await ledgerState(u.uid);
  expect(state.credits).toBe(state.ledgerSum);
  expect(state.entries.filter((e: any) => e.type === "debit")).toHaveLength(1);
});

it("the sweeper still ends and refunds timed-out requests when its dispatcher cannot be built", async () => {
  const u = await createTestUser({ credits: 5, prefix: "disp" });
  const res = await createGenerationRequest(firestore(), caller(u.uid), CAT, { dispatcher: unbuildable });
  const ref = db().doc(`generationRequests/${res.generationRequestId}`);
  const old = Timestamp.fromMillis(Date.now() - limits.queuedDeadlineMs - 60_000);
  await ref.update({ createdAt: old, "dispatch.updatedAt": old });
  const summary = await sweepStuckRequests(firestore(), { dispatcher: unbuildable, limits, batchLimit: 500, userIds: [u.uid] });
  expect(summary.failed).toContain(res.generationRequestId);
  expect((await ref.get()).data()).toMatchObject({ status: "failed", refunded: true, error: { code: "QUEUE_TIMEOUT" } });
  const state = await ledgerState(u.uid);
  expect(state.credits).toBe(5);
  expect(state.ledgerSum).toBe(5);
});

it("the sweeper refunds a failed request whose refund trigger never ran, once, through the one refund path", async () => {
  const u = await createTestUser({ credits: 5, prefix: "disp" });
  const res = await createGenerationRequest(firestore(), caller(u.uid), { ...CAT, numImages: 2 }, { dispatcher: unbuildable });
  const ref = db().doc(`generationRequests/${res.generationRequestId}`);
  // Dropping the trigger: the update trigger does not fire on a create, so the request is
  // re-created already failed (as if the trigger's event had been lost).
  const data = (await ref.get()).data()!;
  await ref.delete();
  await ref.create({ ...data, status: "failed", error: { code: "COMFY_EXECUTION_ERROR", message: "lost trigger" }, refunded: false });
  expect((await ledgerState(u.uid)).credits).toBe(3);
  const sweeps = await Promise.all([1, 2].map(() => sweepStuckRequests(firestore(), { dispatcher: unbuildable, limits, batchLimit: 500, userIds: [u.uid] })));
  expect(sweeps.flatMap((s) => s.refunded).filter((id) => id === res.generationRequestId).length).toBeGreaterThanOrEqual(1);
  expect((await ref.get()).get("refunded")).toBe(true);
  const state = await ledgerState(u.uid);
  expect(state.entries.filter((e: any) => e.type === "refund")).toEqual([expect.objectContaining({ amount: 2, actor: "system:sweeper", requestId: res.generationRequestId })]);
  expect(state.credits).toBe(5);
  expect(state.ledgerSum).toBe(5);
});
