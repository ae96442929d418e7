// Issue 23 item 7: the sweeper's refund reconciliation is never starved. Free jobs (cost 0) that
// ended failed are never refunded, so they stay `refunded: false` for ever; however many of them
// sort ahead of an owed refund, that refund is reconciled in one sweep.
import { createTestUser, db, ledgerState } from "../../../test-support/emulator";
import { loadConfig } from "../../src/config";
import { RecordingDispatcher } from "../../src/dispatch/dispatcher";
import { sweepStuckRequests } from "../../src/dispatch/sweep";
import { sweepLimits } from "../../src/dispatch/sweepPlan";
import { createGenerationRequest } from "../../src/requests/create";
import { firestore } from "../../src/shared/firestore";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "owed refund" };
const BATCH = 20;

it("60 stale free failed jobs ahead of one owed refund: the owed refund is reconciled in one sweep", async () => {
  const u = await createTestUser({ credits: 5, prefix: "recon" });
  const res = await createGenerationRequest(firestore(), { uid: u.uid, role: "user", via: "id-token" }, { ...CAT, numImages: 2 }, { dispatcher: new RecordingDispatcher() });
  const ref = db().doc(`generationRequests/${res.generationRequestId}`);
  // The refund trigger's event lost: re-created already failed (the update trigger does not fire on a create).
  const data = (await ref.get()).data()!;
  await ref.delete();
  await ref.create({ ...data, status: "failed", error: { code: "COMFY_EXECUTION_ERROR", message: "lost trigger" }, refunded: false });

  // Free jobs, named to sort before any generated id, as a query without an order returns them.
  const run = Date.now().toString(36);
  const writes = db().batch();
  for (let i = 0; i < 60; i++) {
    writes.create(db().doc(`generationRequests/000free-${run}-${String(i).padStart(2, "0")}`), {
      ...data, cost: 0, status: "failed", refunded: false, error: { code: "COMFY_EXECUTION_ERROR", message: "free run failed" }, idempotencyKey: null,
    });
  }
  await writes.commit();

  const summary = await sweepStuckRequests(firestore(), { dispatcher: new RecordingDispatcher(), limits: sweepLimits(loadConfig()), batchLimit: BATCH, userIds: [u.uid] });
  expect(summary.refunded).toContain(res.generationRequestId);
  expect((await ref.get()).get("refunded")).toBe(true);
  const state = await ledgerState(u.uid);
  expect(state.entries.filter((e: any) => e.type === "refund")).toEqual([expect.objectContaining({ amount: 2, requestId: res.generationRequestId, actor: "system:sweeper" })]);
  expect(state.credits).toBe(5);
  expect(state.ledgerSum).toBe(5);
});
