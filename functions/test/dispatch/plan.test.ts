// Pure rules: queue config, task shape and naming, and what the sweeper does with each request.
import { loadConfig } from "../../src/config";
import { gcloudCreateQueue, queueConfig } from "../../src/dispatch/queueConfig";
import { planSweep, sweepFacts, sweepLimits, type SweepFacts } from "../../src/dispatch/sweepPlan";
import { buildTask, taskIdFor } from "../../src/dispatch/task";

const cfg = loadConfig({ FUNCTIONS_EMULATOR: "true", GCLOUD_PROJECT: "p1" });
const q = queueConfig(cfg);
const MIN = 60_000;

describe("queue config", () => {
  it("derives retry and rate limits from one set of settings, capacity as the concurrency cap", () => {
    expect(q).toEqual({
      project: "p1", location: "us-central1", queue: "generation-jobs",
      retryConfig: { maxAttempts: 5, minBackoffSeconds: 10, maxBackoffSeconds: 300, maxDoublings: 4 },
      rateLimits: { maxConcurrentDispatches: 2, maxDispatchesPerSecond: 5 },
      dispatchDeadlineSeconds: 900,
    });
  });

  it("clamps the dispatch deadline to what Cloud Tasks accepts and rejects inverted backoff", () => {
    expect(queueConfig(loadConfig({ FUNCTIONS_EMULATOR: "true", DISPATCH_DEADLINE_SECONDS: "5000" })).dispatchDeadlineSeconds).toBe(1800);
    expect(() => queueConfig(loadConfig({ FUNCTIONS_EMULATOR: "true", TASKS_MIN_BACKOFF_SECONDS: "60", TASKS_MAX_BACKOFF_SECONDS: "10" }))).toThrow(/BACKOFF/);
  });

  it("prints the matching gcloud command", () => {
    const cmd = gcloudCreateQueue(q);
    for (const flag of ["queues create generation-jobs", "--location=us-central1", "--max-attempts=5", "--min-backoff=10s", "--max-backoff=300s", "--max-doublings=4", "--max-concurrent-dispatches=2", "--max-dispatches-per-second=5"]) {
      expect(cmd).toContain(flag);
    }
  });
});

describe("task shape", () => {
  it("names the first task after the request and later ones apart", () => {
    expect(taskIdFor("abc", 0)).toBe("abc");
    expect(taskIdFor("abc", 3)).toBe("abc-d3");
    expect(() => taskIdFor("a/b", 0)).toThrow(/cannot name/);
  });

  it("POSTs base64 JSON {requestId} to the runner's task route with our headers", () => {
    const t = buildTask(q, { runnerUrl: "http://127.0.0.1:8090/", headers: { "X-Runner-Token": "s3cret-dev" } }, "r1", "r1-d1");
    expect(t.name).toBe("projects/p1/locations/us-central1/queues/generation-jobs/tasks/r1-d1");
    expect(t.httpRequest.url).toBe("http://127.0.0.1:8090/tasks/generate");
    expect(t.httpRequest.headers).toEqual({ "Content-Type": "application/json", "X-Runner-Token": "s3cret-dev" });
    expect(t.httpRequest.oidcToken).toBeUndefined();
    expect(JSON.parse(Buffer.from(t.httpRequest.body, "base64").toString())).toEqual({ requestId: "r1" });
    expect(t.dispatchDeadlineSeconds).toBe(900);
  });
});

describe("sweep planner", () => {
  const limits = sweepLimits(cfg);
  const now = Date.UTC(2026, 10, 21, 12);
  const base: SweepFacts = { id: "r", status: "queued", createdAtMs: now - 10 * MIN, attempts: 0, dispatchState: "pending", dispatchAttempts: 0, dispatchUpdatedAtMs: now - 10 * MIN, leaseExpiresAtMs: null };
  const plan = (f: Partial<SweepFacts>) => planSweep({ ...base, ...f }, now, limits);

  it("uses the documented defaults", () => {
    expect(limits).toEqual({ pendingAfterMs: MIN, enqueuedStaleMs: 30 * MIN, leaseGraceMs: 10 * MIN, queuedDeadlineMs: 360 * MIN, maxRedispatches: 3, maxAttempts: 5 });
  });

  it("re-dispatches a queued request whose enqueue failed, under the same task name", () => {
    expect(plan({})).toMatchObject({ kind: "dispatch", n: 0 });
    expect(plan({ dispatchUpdatedAtMs: now - 30_000 })).toMatchObject({ kind: "none" });
  });

  it("re-dispatches an enqueued request never claimed for a long time under a new name", () => {
    expect(plan({ dispatchState: "enqueued", dispatchAttempts: 1, dispatchUpdatedAtMs: now - 31 * MIN, createdAtMs: now - 31 * MIN })).toMatchObject({ kind: "dispatch", n: 1 });
    expect(plan({ dispatchState: "enqueued", dispatchAttempts: 1, dispatchUpdatedAtMs: now - 5 * MIN })).toMatchObject({ kind: "none" });
  });

  it("ends a request that never started within the queue deadline", () => {
    expect(plan({ createdAtMs: now - 361 * MIN, dispatchState: "enqueued" })).toMatchObject({ kind: "fail", code: "QUEUE_TIMEOUT" });
  });

  it("leaves a running job alone while its lease is alive or only briefly expired", () => {
    const running = { status: "running", attempts: 1, dispatchState: "enqueued" as const, dispatchAttempts: 1 };
    expect(plan({ ...running, leaseExpiresAtMs: now + MIN })).toMatchObject({ kind: "none" });
    expect(plan({ ...running, leaseExpiresAtMs: now - 9 * MIN })).toMatchObject({ kind: "none" });
  });

  it("re-dispatches a running job whose lease expired past the grace, then gives up", () => {
    const dead = { status: "running", attempts: 1, dispatchState: "enqueued" as const, leaseExpiresAtMs: now - 11 * MIN, dispatchUpdatedAtMs: now - 20 * MIN };
    expect(plan({ ...dead, dispatchAttempts: 1 })).toMatchObject({ kind: "dispatch", n: 1 });
    expect(plan({ ...dead, dispatchAttempts: 3 })).toMatchObject({ kind: "dispatch", n: 3 });
    expect(plan({ ...dead, dispatchAttempts: 4 })).toMatchObject({ kind: "fail", code: "LEASE_EXPIRED" });
    expect(plan({ ...dead, dispatchAttempts: 2, dispatchUpdatedAtMs: now - MIN })).toMatchObject({ kind: "none", why: "re-dispatched recently" });
  });

  it("ends a running job that used up its attempts as MAX_ATTEMPTS_EXCEEDED", () => {
    expect(plan({ status: "running", attempts: 5, dispatchAttempts: 1, leaseExpiresAtMs: now - 11 * MIN, dispatchUpdatedAtMs: now - 30 * MIN })).toMatchObject({ kind: "fail", code: "MAX_ATTEMPTS_EXCEEDED" });
  });

  it("ignores terminal requests", () => {
    for (const status of ["succeeded", "failed", "cancelled"]) expect(plan({ status, createdAtMs: 0 })).toMatchObject({ kind: "none" });
  });

  it("reads facts from a document, treating a missing dispatch record as pending since creation", () => {
    const createdAt = new Date(now - 5 * MIN);
    expect(sweepFacts("x", { status: "queued", createdAt })).toEqual({
      id: "x", status: "queued", createdAtMs: now - 5 * MIN, attempts: 0, dispatchState: "pending", dispatchAttempts: 0, dispatchUpdatedAtMs: now - 5 * MIN, leaseExpiresAtMs: null,
    });
    const ts = { toMillis: () => now };
    expect(sweepFacts("y", { status: "running", attempts: 2, createdAt: ts, lease: { expiresAt: ts }, dispatch: { state: "enqueued", attempts: 1, updatedAt: ts } }))
      .toMatchObject({ attempts: 2, dispatchState: "enqueued", dispatchAttempts: 1, leaseExpiresAtMs: now });
  });
});
