// The sweeper's Firestore side: indexed candidate queries, re-dispatch under new task names, and
// endings that refund through the one refund path exactly once. Requests are shaped as stuck by
// hand (old timestamps), so the sweep runs at the real "now" and leaves other suites' fresh ones.
import { Timestamp } from "firebase-admin/firestore";
import { callFunction, createTestUser, db, ledgerState } from "../../../test-support/emulator";
import { loadConfig } from "../../src/config";
import { RecordingDispatcher } from "../../src/dispatch/dispatcher";
import { sweepStuckRequests } from "../../src/dispatch/sweep";
import { sweepLimits } from "../../src/dispatch/sweepPlan";
import { firestore } from "../../src/shared/firestore";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space" };
const HOUR = 3_600_000;
const ago = (ms: number) => Timestamp.fromMillis(Date.now() - ms);
const limits = sweepLimits(loadConfig());

async function created(token: string, numImages = 1) {
  const res = await callFunction("createGenerationRequest", { token, body: { ...CAT, numImages } });
  expect(res.status).toBe(201);
  return res.body.generationRequestId as string;
}

// Only this file's users: another file's stuck jobs are not this file's to end (jest may run files side by side).
const ours: string[] = [];
const user = async (credits: number) => {
  const u = await createTestUser({ credits });
  ours.push(u.uid);
  return u;
};
const sweep = (d = new RecordingDispatcher()) => sweepStuckRequests(firestore(), { dispatcher: d, limits, batchLimit: 500, userIds: ours }).then((s) => ({ ...s, d }));

describe("sweeper (Firestore emulator)", () => {
  it("ends a job whose runner vanished after its last attempt as failed and refunds it once, however often it runs", async () => {
    const u = await user(10);
    const id = await created(u.token, 2);
    const ref = db().doc(`generationRequests/${id}`);
    await ref.update({ status: "running", attempts: limits.maxAttempts, lease: { owner: "gone/1", expiresAt: ago(HOUR) }, "dispatch.updatedAt": ago(HOUR) });
    const runs = await Promise.all([sweep(), sweep(), sweep()]);
    expect(runs.flatMap((r) => r.failed).filter((x) => x === id)).toHaveLength(1);
    const doc = (await ref.get()).data()!;
    expect(doc).toMatchObject({ status: "failed", refunded: true, lease: null, error: { code: "MAX_ATTEMPTS_EXCEEDED" } });
    const state = await ledgerState(u.uid);
    expect(state.entries.filter((e: any) => e.type === "refund")).toEqual([expect.objectContaining({ id: `refund-${id}`, amount: 2, actor: "system:sweeper" })]);
    expect(state.credits).toBe(10);
    expect(state.ledgerSum).toBe(10);
  });

  it("re-dispatches a job with an expired lease under a new task name, then gives up after the re-dispatch limit", async () => {
    const u = await user(10);
    const id = await created(u.token);
    const ref = db().doc(`generationRequests/${id}`);
    await ref.update({ status: "running", attempts: 1, lease: { owner: "gone/1", expiresAt: ago(HOUR) }, "dispatch.updatedAt": ago(HOUR) });
    const first = await sweep();
    expect(first.dispatched).toContain(id);
    expect(first.d.jobs).toContainEqual({ requestId: id, taskId: `${id}-d1` });
    expect((await ref.get()).get("dispatch")).toMatchObject({ state: "enqueued", attempts: 2, taskId: `${id}-d1` });
    // Right after a re-dispatch the sweeper waits for it.
    expect((await sweep()).dispatched).not.toContain(id);
    await ref.update({ "dispatch.attempts": limits.maxRedispatches + 1, "dispatch.updatedAt": ago(HOUR) });
    expect((await sweep()).failed).toContain(id);
    expect((await ref.get()).data()).toMatchObject({ status: "failed", refunded: true, error: { code: "LEASE_EXPIRED" } });
    expect((await ledgerState(u.uid)).credits).toBe(10);
  });

  it("a sweep scoped to some users ends none of another user's stuck jobs", async () => {
    const [mine, theirs] = [await user(10), await createTestUser({ credits: 10 })];
    const [a, b] = [await created(mine.token), await created(theirs.token)];
    for (const id of [a, b]) {
      await db().doc(`generationRequests/${id}`).update({ status: "running", attempts: limits.maxAttempts, lease: { owner: "gone/1", expiresAt: ago(HOUR) }, "dispatch.updatedAt": ago(HOUR) });
    }
    const run = await sweepStuckRequests(firestore(), { dispatcher: new RecordingDispatcher(), limits, batchLimit: 500, userIds: [mine.uid] });
    expect(run.failed).toContain(a);
    expect(run.failed).not.toContain(b);
    expect((await db().doc(`generationRequests/${b}`).get()).get("status")).toBe("running");
    // Its own user's sweep ends it.
    expect((await sweepStuckRequests(firestore(), { dispatcher: new RecordingDispatcher(), limits, batchLimit: 500, userIds: [theirs.uid] })).failed).toContain(b);
  });

  it("re-dispatches a queued request whose enqueue failed, reusing the same task name", async () => {
    const u = await user(10);
    const id = await created(u.token);
    const ref = db().doc(`generationRequests/${id}`);
    await ref.update({ dispatch: { state: "pending", attempts: 0, updatedAt: ago(5 * 60_000), lastError: "simulated outage" } });
    const run = await sweep();
    expect(run.d.jobs).toContainEqual({ requestId: id, taskId: id });
    expect((await ref.get()).get("dispatch")).toMatchObject({ state: "enqueued", attempts: 1, lastError: null });
  });

  it("fails and refunds a request that never started within the queue deadline; leaves finished ones alone", async () => {
    const u = await user(10);
    const [late, done] = [await created(u.token, 3), await created(u.token)];
    await db().doc(`generationRequests/${late}`).update({ createdAt: ago(7 * HOUR), "dispatch.updatedAt": ago(7 * HOUR) });
    await db().doc(`generationRequests/${done}`).update({ status: "succeeded", createdAt: ago(7 * HOUR), "dispatch.updatedAt": ago(7 * HOUR) });
    const run = await sweep();
    expect(run.failed).toContain(late);
    expect(run.failed).not.toContain(done);
    expect((await db().doc(`generationRequests/${late}`).get()).data()).toMatchObject({ status: "failed", refunded: true, error: { code: "QUEUE_TIMEOUT" } });
    expect((await db().doc(`generationRequests/${done}`).get()).get("status")).toBe("succeeded");
    const state = await ledgerState(u.uid);
    expect(state.credits).toBe(9);
    expect(state.ledgerSum).toBe(9);
  });
});
