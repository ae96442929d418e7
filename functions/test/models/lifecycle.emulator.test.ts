// A training run after its create, with the runner's transitions simulated exactly as
// the custom-model contract (docs/custom-models.md) states them (phase 1 runs no runner): failure refunded once however many
// refunders race, cancel while queued and 409 while training, delete (files gone on disk,
// tombstone, queued generations refunded, eviction task recorded), and the sweeper.
import { Timestamp } from "firebase-admin/firestore";
import { callFunction, createTestUser, db, ledgerState } from "../../../test-support/emulator";
import { until } from "../../../test-support/wait";
import { loadConfig } from "../../src/config";
import { RecordingDispatcher } from "../../src/dispatch/dispatcher";
import { TRAIN } from "../../src/dispatch/jobKinds";
import { sweepStuckRequests } from "../../src/dispatch/sweep";
import { sweepLimits } from "../../src/dispatch/sweepPlan";
import { refundIfOwed } from "../../src/ledger/refund";
import { firestore } from "../../src/shared/firestore";
import { createdModel, modelDoc, modelRef, onDisk, runnerClaim, runnerFail, runnerSucceed } from "./helpers";

const limits = sweepLimits(loadConfig());
const HOUR = 3_600_000;
const ago = (ms: number) => Timestamp.fromMillis(Date.now() - ms);
// Sweeps end only this file's users' models (jest may run other files' stuck jobs side by side).
const ours: string[] = [];
const ourUser = async (opts: { credits: number }) => {
  const u = await createTestUser(opts);
  ours.push(u.uid);
  return u;
};
const sweepTraining = (d = new RecordingDispatcher()) => sweepStuckRequests(firestore(), { dispatcher: d, limits, batchLimit: 500, kind: TRAIN, userIds: ours }).then((s) => ({ ...s, d }));
const refunds = async (uid: string) => (await ledgerState(uid)).entries.filter((e: any) => e.type === "refund");

describe("custom model lifecycle", () => {
  it("refunds a failed training exactly once while the trigger, the sweeper and repairs race", async () => {
    const u = await ourUser({ credits: 10 });
    const id = await createdModel(u.token);
    expect(await runnerClaim(id)).toBe(true);
    expect(await runnerFail(id)).toBe(true);
    await Promise.all([sweepTraining(), sweepTraining(), ...Array.from({ length: 4 }, () => refundIfOwed(firestore(), id, "test:race", TRAIN))]);
    await until("refunded flag", async () => ((await modelDoc(id)).refunded === true ? true : undefined));
    expect(await refunds(u.uid)).toEqual([expect.objectContaining({ id: `refund-${id}`, amount: 5, requestId: id, reason: "training failed (COMFY_EXECUTION_ERROR)" })]);
    expect(await ledgerState(u.uid)).toMatchObject({ credits: 10, ledgerSum: 10 });
    const view = await callFunction("getCustomModel", { token: u.token, query: { id } });
    expect(view.body).toMatchObject({ status: "failed", charge: "refunded", error: { code: "COMFY_EXECUTION_ERROR" } });
  });

  it("a runner whose lease was taken over can neither fail nor complete the model, and nothing is refunded", async () => {
    const u = await ourUser({ credits: 10 });
    const id = await createdModel(u.token);
    expect(await runnerClaim(id, "stale/1", HOUR, Date.now() - 2 * HOUR)).toBe(true);
    expect(await runnerClaim(id, "fresh/2")).toBe(true);
    expect(await runnerFail(id, "COMFY_EXECUTION_ERROR", "stale/1")).toBe(false);
    await expect(runnerSucceed(id, "stale/1")).rejects.toThrow(/lost/);
    expect(await modelDoc(id)).toMatchObject({ status: "training", attempts: 2, lease: { owner: "fresh/2" }, refunded: false });
    await runnerSucceed(id, "fresh/2");
    expect(await modelDoc(id)).toMatchObject({ status: "ready", error: null });
    expect(await refunds(u.uid)).toEqual([]);
    expect(await ledgerState(u.uid)).toMatchObject({ credits: 5, ledgerSum: 5 });
  });

  it("the refund trigger alone refunds a failure (no sweeper, no repair)", async () => {
    const u = await ourUser({ credits: 10 });
    const id = await createdModel(u.token);
    await runnerClaim(id);
    await runnerFail(id);
    await until("trigger refund", async () => ((await modelDoc(id)).refunded === true ? true : undefined));
    expect(await refunds(u.uid)).toEqual([expect.objectContaining({ id: `refund-${id}`, actor: "system:refund-trigger" })]);
  });

  it("never refunds a ready model", async () => {
    const u = await ourUser({ credits: 10 });
    const id = await createdModel(u.token);
    await runnerClaim(id);
    await runnerSucceed(id);
    expect(await refundIfOwed(firestore(), id, "test", TRAIN)).toMatchObject({ action: "skip", why: "not-refundable-status" });
    await sweepTraining();
    expect(await refunds(u.uid)).toEqual([]);
    expect(await ledgerState(u.uid)).toMatchObject({ credits: 5, ledgerSum: 5 });
  });

  it("cancel: refunds while queued (twice is harmless); 409 once training; someone else's is 404", async () => {
    const [u, other] = await Promise.all([ourUser({ credits: 10 }), ourUser({ credits: 0 })]);
    const queued = await createdModel(u.token);
    const first = await callFunction("cancelCustomModel", { token: u.token, body: { id: queued } });
    expect(first).toMatchObject({ status: 200, body: { id: queued, status: "cancelled", refundedCredits: 5, currentCredits: 10 } });
    expect((await callFunction("cancelCustomModel", { token: u.token, body: { id: queued } })).status).toBe(200);
    expect(await refunds(u.uid)).toHaveLength(1);
    const training = await createdModel(u.token, {}, 30);
    await runnerClaim(training);
    const late = await callFunction("cancelCustomModel", { token: u.token, body: { id: training } });
    expect(late).toMatchObject({ status: 409, body: { error: { code: "FAILED_PRECONDITION", message: expect.stringMatching(/'training'/) } } });
    expect((await callFunction("cancelCustomModel", { token: other.token, body: { id: training } })).status).toBe(404);
    expect((await callFunction("getCustomModel", { token: other.token, query: { id: training } })).status).toBe(404);
    expect(await ledgerState(u.uid)).toMatchObject({ credits: 5, ledgerSum: 5 });
  });

  it("delete: photos and LoRA gone on disk, tombstone kept, queued generation with it refunded, eviction task recorded", async () => {
    const u = await ourUser({ credits: 20 });
    const id = await createdModel(u.token);
    await runnerClaim(id);
    const lora = await runnerSucceed(id);
    const gen = await callFunction("createGenerationRequest", { token: u.token, body: { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "portrait", customModelId: id } });
    expect(gen.status).toBe(201);
    const photoPaths = (await modelDoc(id)).train.photos.map((p: { path: string }) => p.path);
    // The photos go when training ends (trainingPhotos.emulator.test.ts); the LoRA stays until the delete.
    expect(onDisk(lora.path)).toBe(true);
    const del = await callFunction("deleteCustomModel", { token: u.token, body: { id } });
    expect(del).toMatchObject({ status: 200, body: { id, status: "deleted", refundedCredits: 0, filesDeleted: 11, generationRequestsFailed: 1 } });
    expect([...photoPaths, lora.path].filter(onDisk)).toEqual([]);
    const d = await modelDoc(id);
    expect(d).toMatchObject({ status: "deleted", deletedAt: expect.anything(), eviction: { state: "enqueued", taskId: `evict-${id}`, sha256: lora.sha256, mode: "record" } });
    // Every runner honours the eviction list, not only the one the evict task reaches.
    expect((await db().doc(`evictedLoras/${lora.sha256}`).get()).data()).toMatchObject({ sha256: lora.sha256, customModelId: id });
    const req = (await db().doc(`generationRequests/${gen.body.generationRequestId}`).get()).data()!;
    expect(req).toMatchObject({ status: "failed", refunded: true, error: { code: "CUSTOM_MODEL_DELETED" } });
    expect((await callFunction("getCustomModel", { token: u.token, query: { id } })).body).toMatchObject({ status: "deleted", charge: "charged" });
    // Deleting again finishes nothing twice; a deleted model cannot be used.
    expect((await callFunction("deleteCustomModel", { token: u.token, body: { id } })).body).toMatchObject({ refundedCredits: 0, generationRequestsFailed: 0 });
    const reuse = await callFunction("createGenerationRequest", { token: u.token, body: { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "x", customModelId: id } });
    expect(reuse.status).toBe(409);
    expect(await ledgerState(u.uid)).toMatchObject({ credits: 15, ledgerSum: 15 });
  });

  it("delete of a queued model refunds it like a cancel", async () => {
    const u = await ourUser({ credits: 10 });
    const id = await createdModel(u.token);
    const del = await callFunction("deleteCustomModel", { token: u.token, body: { id } });
    expect(del.body).toMatchObject({ status: "deleted", refundedCredits: 5, filesDeleted: 10 });
    expect(await ledgerState(u.uid)).toMatchObject({ credits: 10, ledgerSum: 10 });
    expect((await modelDoc(id)).eviction).toBeUndefined();
  });

  it("delete of a failed model whose refund has not landed yet refunds it in the tombstone's transaction", async () => {
    const u = await ourUser({ credits: 10 });
    const id = await createdModel(u.token);
    // Written as a create, not an update, so no trigger races the delete: only the delete can refund.
    const data = await modelDoc(id);
    await modelRef(id).delete();
    await modelRef(id).set({ ...data, status: "failed", error: { code: "COMFY_EXECUTION_ERROR", message: "x" }, refunded: false });
    const del = await callFunction("deleteCustomModel", { token: u.token, body: { id } });
    expect(del.body).toMatchObject({ status: "deleted", refundedCredits: 5 });
    expect(await refunds(u.uid)).toEqual([expect.objectContaining({ id: `refund-${id}`, amount: 5 })]);
    expect(await ledgerState(u.uid)).toMatchObject({ credits: 10, ledgerSum: 10 });
  });

  it("sweeper: re-dispatches a queued model whose enqueue failed and a training run whose lease expired, then fails and refunds once", async () => {
    const u = await ourUser({ credits: 10 });
    const pending = await createdModel(u.token);
    await modelRef(pending).update({ dispatch: { state: "pending", attempts: 0, updatedAt: ago(HOUR) } });
    const dead = await createdModel(u.token, {}, 50);
    // A runner that claimed it two hours ago and died: its lease ran out an hour later.
    expect(await runnerClaim(dead, "gone/1", HOUR, Date.now() - 2 * HOUR)).toBe(true);
    await modelRef(dead).update({ "dispatch.updatedAt": ago(HOUR) });
    const run = await sweepTraining();
    expect(run.dispatched).toEqual(expect.arrayContaining([pending, dead]));
    expect(run.d.jobs.filter((j) => j.requestId === dead)).toEqual([{ requestId: dead, taskId: `${dead}-d1`, route: { path: "/tasks/train", body: { customModelId: dead } } }]);
    // Its re-dispatches used up, the dead run ends failed and is refunded, once.
    await modelRef(dead).update({ "dispatch.attempts": limits.maxRedispatches + 1, "dispatch.updatedAt": ago(HOUR) });
    const ends = await Promise.all([sweepTraining(), sweepTraining()]);
    expect(ends.flatMap((e) => e.failed).filter((x) => x === dead)).toHaveLength(1);
    expect(await modelDoc(dead)).toMatchObject({ status: "failed", refunded: true, error: { code: "LEASE_EXPIRED" } });
    expect((await refunds(u.uid)).map((e: any) => e.id)).toEqual([`refund-${dead}`]);
    expect(await ledgerState(u.uid)).toMatchObject({ credits: 5, ledgerSum: 5 });
  });
});
