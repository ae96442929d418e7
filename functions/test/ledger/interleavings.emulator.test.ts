// Property test: random interleavings of create / batch create / cancel / claim / complete /
// fail / abandon + sweep / grant for several users, run concurrently against the emulator through
// the real code paths: the functions' create (single and batch, with replayed idempotency keys,
// through the group commit), cancel and grant; the runner's own claim, complete and fail
// (gpu-runner/src/jobs/job.repo.ts); the sweeper ending abandoned jobs and reconciling refunds;
// and the real refund trigger in the Functions emulator. Afterwards every user's balance equals
// the sum of their ledger, never went negative, and every request was charged once and refunded
// exactly once if it ended failed or cancelled (never if it succeeded).
import { rng } from "../../../test-support/rng";
import { createTestUser, db, ledgerState } from "../../../test-support/emulator";
import { grantViolations } from "../billing/state";
import { createGenerationRequest } from "../../src/requests/create";
import { createGenerationRequests } from "../../src/requests/createBatch";
import { cancelRequest } from "../../src/requests/cancel";
import { grantCredits } from "../../src/ledger/grant";
import { RecordingDispatcher } from "../../src/dispatch/dispatcher";
import { sweepStuckRequests } from "../../src/dispatch/sweep";
import type { SweepLimits } from "../../src/dispatch/sweepPlan";
import { firestore } from "../../src/shared/firestore";
import type { Caller } from "../../src/auth/caller";
import { claimJob, completeJob, failJob } from "../../../gpu-runner/src/jobs/job.repo";

const HOUR = 3_600_000;
/** The sweeper as configured to end any running job whose lease has lapsed, at once. */
const SWEEP_NOW: SweepLimits = { pendingAfterMs: HOUR, enqueuedStaleMs: HOUR, leaseGraceMs: 0, queuedDeadlineMs: 24 * HOUR, maxRedispatches: 0, maxAttempts: 1 };

/** Runner deliveries in flight: request id → the lease owner that claimed it. */
const held = new Map<string, string>();
let deliveries = 0;

/** What one runner delivery does with a job: claim it, then (maybe later) complete or fail it. */
async function claim(id: string, leaseMs = 60_000, now = Date.now()) {
  const owner = `prop-runner/${++deliveries}`;
  const c = await claimJob(firestore(), id, owner, leaseMs, now);
  if (c.kind === "claim") held.set(id, owner);
  return c.kind;
}

async function finish(id: string, how: "complete" | "fail") {
  const owner = held.get(id);
  if (!owner) return false;
  held.delete(id);
  try {
    return await (how === "complete"
      ? completeJob(firestore(), id, owner, [], Date.now())
      : failJob(firestore(), id, owner, { code: "COMFY_EXECUTION_ERROR", message: "injected" }, Date.now()));
  } catch (err) {
    // A runner whose write lost to contention still holds its lease and tries again later.
    held.set(id, owner);
    throw err;
  }
}

/** A runner that dies right after claiming: its lease lapses, and the sweeper ends the job. */
/** This file's users: its sweeps end no other file's jobs (leaseGraceMs 0 would end any running one). */
const ours: string[] = [];

/** A runner that dies right after claiming: its lease (claimed a second ago, for 1 ms) has lapsed, and the sweeper ends the job. */
async function abandonAndSweep(id: string) {
  await claim(id, 1, Date.now() - 1000);
  held.delete(id);
  await sweepStuckRequests(firestore(), { dispatcher: new RecordingDispatcher(), limits: SWEEP_NOW, batchLimit: 50, userIds: ours });
}

async function settle(ids: string[]) {
  const until = Date.now() + 60_000;
  for (;;) {
    const docs = await Promise.all(ids.map((id) => db().doc(`generationRequests/${id}`).get()));
    const pending = docs.filter((d) => ["failed", "cancelled"].includes(d.get("status")) && !d.get("refunded"));
    if (!pending.length) return docs;
    if (Date.now() > until) throw new Error(`${pending.length} refunds never landed`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

it.each([[1], [2], [3]])("keeps credits == sum(ledger) and credits >= 0 under random interleavings (seed %i)", async (seed) => {
  const rand = rng(seed);
  const pickOf = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const users = await Promise.all([3, 5, 8, 12].map((credits) => createTestUser({ credits, prefix: "prop" })));
  ours.push(...users.map((u) => u.uid));
  const ids: Record<string, string[]> = Object.fromEntries(users.map((u) => [u.uid, []]));
  const outcomes: Record<string, number> = {};
  const count = (k: string) => (outcomes[k] = (outcomes[k] ?? 0) + 1);

  /** A create body; with `key`, one of a few idempotency keys, always with the same parameters. */
  const body = (key?: number) => key === undefined
    ? { model: pickOf(["A", "B"]), style: "anime", color: "muted", size: "512x512", prompt: "property test", numImages: 1 + Math.floor(rand() * 3) }
    : { model: "A", style: "anime", color: "muted", size: "512x512", prompt: `keyed ${key}`, numImages: 1 + (key % 2), idempotencyKey: `prop-${seed}-key-${key}` };

  const op = async () => {
    const u = pickOf(users);
    const caller: Caller = { uid: u.uid, role: "user", via: "id-token" };
    const mine = ids[u.uid];
    const r = rand();
    try {
      if (r < 0.3 || !mine.length) {
        const res = await createGenerationRequest(firestore(), caller, body());
        mine.push(res.generationRequestId);
        count("created");
      } else if (r < 0.4) {
        // A batch whose items may repeat each other's keys or earlier ones: replays, never a second charge.
        const res = await createGenerationRequests(firestore(), caller, { requests: Array.from({ length: 1 + Math.floor(rand() * 4) }, () => body(Math.floor(rand() * 6))) });
        for (const item of res.results) {
          if (item.generationRequestId) mine.push(item.generationRequestId);
          count(`batch:${item.error?.code ?? item.status}`);
        }
      } else if (r < 0.5) {
        await cancelRequest(firestore(), caller, pickOf(mine));
        count("cancelled");
      } else if (r < 0.62) {
        count(`claim:${await claim(pickOf(mine))}`);
      } else if (r < 0.72) {
        count(`complete:${await finish(pickOf(mine), "complete")}`);
      } else if (r < 0.82) {
        count(`fail:${await finish(pickOf(mine), "fail")}`);
      } else if (r < 0.9) {
        await abandonAndSweep(pickOf(mine));
        count("abandoned");
      } else {
        await grantCredits(firestore(), { userId: u.uid, amount: 1 + Math.floor(rand() * 4), reason: "property test", actor: "test", auditActor: { uid: "test", role: "admin", via: "cli" } }, async () => true);
        count("grant");
      }
    } catch (err) {
      const code = (err as { code?: string | number }).code;
      // Contention is a retryable answer, not a failure: 503 from a money transaction, or a
      // runner transaction that ran out of attempts (ABORTED, 10), which Cloud Tasks redelivers.
      if (code !== "INSUFFICIENT_CREDITS" && code !== "FAILED_PRECONDITION" && code !== "UNAVAILABLE" && code !== 10) throw err;
      count(String(code));
    }
  };

  // 8 lanes of 20 operations each: real concurrency on the same user documents.
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let i = 0; i < 20; i++) await op();
  }));
  expect(outcomes.created).toBeGreaterThan(10);
  expect(outcomes["batch:201"]).toBeGreaterThan(0);
  expect(outcomes["batch:200"]).toBeGreaterThan(0);
  // The runner's own claim path ran (completions, failures and sweeps follow from it).
  expect(outcomes["claim:claim"]).toBeGreaterThan(0);
  // Deliveries still holding a lease end the way a runner would: half succeed, half fail.
  let i = 0;
  for (const id of [...held.keys()]) await finish(id, i++ % 2 ? "complete" : "fail").catch(() => finish(id, "fail"));
  // One more sweep, the trigger's backstop, before checking.
  await sweepStuckRequests(firestore(), { dispatcher: new RecordingDispatcher(), limits: SWEEP_NOW, batchLimit: 200, userIds: ours });

  for (const u of users) {
    const docs = await settle(ids[u.uid]);
    const state = await ledgerState(u.uid);
    expect(state.credits).toBe(state.ledgerSum);
    expect(state.credits).toBeGreaterThanOrEqual(0);
    // Grants: Σ live remaining − debt, and each grant's remaining derivable from the entries.
    expect(await grantViolations(u.uid)).toEqual([]);
    for (const e of state.entries as any[]) expect(e.balanceAfter).toBeGreaterThanOrEqual(0);
    for (const d of docs) {
      const entries = state.entries.filter((e: any) => e.requestId === d.id);
      expect(entries.filter((e: any) => e.type === "debit")).toHaveLength(1);
      const refunds = entries.filter((e: any) => e.type === "refund");
      expect(refunds).toHaveLength(["failed", "cancelled"].includes(d.get("status")) ? 1 : 0);
      if (d.get("status") === "succeeded") expect(d.get("refunded")).toBe(false);
    }
  }
});
