import { randomUUID } from "node:crypto";
import path from "node:path";
import { Timestamp } from "firebase-admin/firestore";
import { db } from "../../test-support/emulator";
import { until } from "../../test-support/wait";
import { startRunner, type Runner } from "../src/app";
import { renderWorkflow } from "../src/comfy/render-workflow";
import { loadTemplates } from "../src/comfy/templates";
import { loadConfig } from "../src/config";
import { startFakeComfy, type FakeComfy } from "../../fake-comfyui/src/server";
import * as repo from "../src/jobs/job.repo";
import { quietLogger } from "./helpers";

jest.setTimeout(30_000);

const ref = (id: string) => db().collection("generationRequests").doc(id);
const render = { workflow: "txt2img", positivePrompt: "a lighthouse", negativePrompt: "", width: 64, height: 64, batchSize: 1, seed: 3, steps: 10, cfg: 7 };

async function request(fields: Record<string, unknown> = {}): Promise<string> {
  const id = `jt_${randomUUID()}`;
  await ref(id).set({ userId: "jobs_user", status: "queued", cost: 1, render, attempts: 0, lease: null, progress: 0, comfy: null, outputs: [], error: null, refunded: false, createdAt: Timestamp.now(), ...fields });
  return id;
}

describe("lease ownership (job.repo against the emulator)", () => {
  it("reserves ComfyUI ids in the claim only when the job has none, and stores timings on completion", async () => {
    const id = await request();
    const ids = { promptId: "00000000-0000-4000-8000-000000000001", clientId: "c1" };
    expect(await repo.claimJob(db(), id, "runner-a/1", 30_000, Date.now(), ids)).toMatchObject({ kind: "claim", reserved: ids });
    expect((await ref(id).get()).get("comfy")).toEqual(ids);
    expect(await repo.releaseJob(db(), id, "runner-a/1")).toBe(true);
    const other = { promptId: "00000000-0000-4000-8000-000000000002", clientId: "c2" };
    const again = await repo.claimJob(db(), id, "runner-b/1", 30_000, Date.now(), other);
    expect(again).toMatchObject({ kind: "claim", reserved: null, data: { comfy: ids } });
    expect((await ref(id).get()).get("comfy")).toEqual(ids);
    const timings = { deliveredAt: 1_000, claimedAt: 1_010, submittedAt: 1_020 };
    expect(await repo.completeJob(db(), id, "runner-b/1", [], 1_010, timings)).toBe(true);
    const stored = (await ref(id).get()).get("timings");
    expect(Object.keys(stored).sort()).toEqual(["claimedAt", "completedAt", "deliveredAt", "submittedAt"]);
    expect(stored.submittedAt.toMillis()).toBe(1_020);
    expect(stored.completedAt.toMillis()).toBeGreaterThan(1_020);
  });

  it("lets only the current owner renew, complete or fail; a released job is claimable by another", async () => {
    const id = await request();
    const a = await repo.claimJob(db(), id, "runner-a/1", 30_000);
    expect(a).toMatchObject({ kind: "claim", attempts: 1 });
    expect(await repo.claimJob(db(), id, "runner-b/1", 30_000)).toMatchObject({ kind: "busy" });
    const before = (await ref(id).get()).get("lease.expiresAt").toMillis();
    expect(await repo.renewLease(db(), id, "runner-a/1", 60_000)).toBe(true);
    expect((await ref(id).get()).get("lease.expiresAt").toMillis()).toBeGreaterThan(before);
    expect(await repo.renewLease(db(), id, "runner-b/1", 60_000)).toBe(false);
    expect(await repo.completeJob(db(), id, "runner-b/1", [], Date.now())).toBe(false);
    expect(await repo.releaseJob(db(), id, "runner-a/1")).toBe(true);
    expect(await repo.claimJob(db(), id, "runner-b/2", 30_000)).toMatchObject({ kind: "claim", attempts: 2 });
    expect(await repo.completeJob(db(), id, "runner-a/1", [], Date.now())).toBe(false);
    expect(await repo.failJob(db(), id, "runner-a/1", { code: "X", message: "x" }, Date.now())).toBe(false);
    expect(await repo.writeProgress(db(), id, "runner-b/2", 0.5)).toBe(true);
    expect(await repo.writeProgress(db(), id, "runner-b/2", 0.4)).toBe(true);
    expect((await ref(id).get()).get("progress")).toBe(0.5);
    expect(await repo.failJob(db(), id, "runner-b/2", { code: "COMFY_EXECUTION_ERROR", message: "m" }, Date.now() - 5)).toBe(true);
    const doc = (await ref(id).get()).data()!;
    expect(doc).toMatchObject({ status: "failed", lease: null, attempts: 2, error: { code: "COMFY_EXECUTION_ERROR", message: "m" } });
    expect(doc.durationMs).toBeGreaterThanOrEqual(5);
    expect(await repo.claimJob(db(), id, "runner-c/1", 30_000)).toMatchObject({ kind: "terminal", status: "failed" });
  });
});

describe("runner recovery and admission", () => {
  let fake: FakeComfy;
  let runner: Runner;
  const env = (extra: Record<string, string> = {}) => loadConfig({
    PORT: "0", HOST: "127.0.0.1", COMFY_URL: fake.url, COMFY_BASE_DIR: fake.files.baseDir, COMFY_POLL_INTERVAL_MS: "100", JOB_TIMEOUT_SECONDS: "10", MAX_CONCURRENT_JOBS: "1", LOG_LEVEL: "silent", ...extra,
  });
  const push = async (r: Runner, requestId: string, headers: Record<string, string> = { "x-runner-token": "dev-runner-secret" }) => {
    const res = await fetch(`${r.url}/tasks/generate`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ requestId }) });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const promptsFor = (id: string) => fake.engine.accepted.filter((p) => JSON.stringify(p.prompt).includes(`imagegen/${id}/`));

  beforeAll(async () => {
    fake = await startFakeComfy({ port: 0, imageMs: 40 });
    runner = await startRunner({ config: env(), db: db(), log: quietLogger() });
  });
  afterAll(async () => {
    await runner.shutdown();
    await fake.close();
  });
  afterEach(() => {
    fake.engine.release();
    fake.faults.set({ mode: "none", imageMs: 40 });
  });

  /** What a runner that died after POST /prompt leaves behind: running, lease expired, comfy ids set. */
  async function orphanedJob(): Promise<{ id: string; promptId: string }> {
    const id = `jt_${randomUUID()}`;
    const promptId = randomUUID();
    const clientId = randomUUID();
    const workflow = renderWorkflow(loadTemplates(path.join(__dirname, "..", "workflows")).get("txt2img")!, { ...render, filenamePrefix: `imagegen/${id}/a1` });
    const res = await fetch(`${fake.url}/prompt`, { method: "POST", body: JSON.stringify({ prompt: workflow, prompt_id: promptId, client_id: clientId }) });
    expect(res.status).toBe(200);
    await ref(id).set({
      userId: "jobs_user", status: "running", cost: 1, render, attempts: 1, progress: 0.3, comfy: { promptId, clientId }, outputs: [], error: null,
      refunded: false, createdAt: Timestamp.now(), startedAt: Timestamp.now(), lease: { owner: "dead-runner/1", expiresAt: Timestamp.fromMillis(Date.now() - 1000) },
    });
    return { id, promptId };
  }

  it("reattaches to a prompt an earlier attempt left finished in ComfyUI instead of re-running it", async () => {
    const { id, promptId } = await orphanedJob();
    while (!fake.engine.history.has(promptId)) await new Promise((r) => setTimeout(r, 20));
    expect(await push(runner, id)).toEqual({ status: 200, body: { result: "succeeded", outputs: 1 } });
    expect(promptsFor(id)).toHaveLength(1);
    expect((await ref(id).get()).data()).toMatchObject({ status: "succeeded", attempts: 2, comfy: { promptId }, progress: 1 });
  });

  it("reattaches to a prompt that is still running and waits for it", async () => {
    // Held in ComfyUI until the new delivery has claimed the job and attached to the prompt.
    fake.engine.hold();
    const { id, promptId } = await orphanedJob();
    const pushed = push(runner, id);
    await until("the job claimed again", async () => ((await ref(id).get()).get("attempts") === 2 ? true : undefined), 30_000, 20);
    expect(fake.engine.history.has(promptId)).toBe(false);
    fake.engine.release();
    expect((await pushed).body.result).toBe("succeeded");
    expect(promptsFor(id)).toHaveLength(1);
  });

  it("re-runs when the earlier attempt's prompt failed in ComfyUI", async () => {
    fake.faults.set({ mode: "execution_error", count: 1 });
    const { id, promptId } = await orphanedJob();
    while (!fake.engine.history.has(promptId)) await new Promise((r) => setTimeout(r, 20));
    expect((await push(runner, id)).body.result).toBe("succeeded");
    expect(promptsFor(id)).toHaveLength(2);
    expect((await ref(id).get()).get("comfy.promptId")).not.toBe(promptId);
  });

  it("answers 503 at capacity without claiming the job", async () => {
    const busy = await request();
    const other = await request();
    // The first job is held in ComfyUI until the second push has been answered.
    fake.engine.hold();
    const first = push(runner, busy);
    await until("the first job running", async () => (runner.activeJobs() > 0 ? true : undefined), 30_000, 10);
    const res = await push(runner, other);
    fake.engine.release();
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect((await ref(other).get()).data()).toMatchObject({ status: "queued", attempts: 0 });
    expect((await first).body.result).toBe("succeeded");
  });

  it("accepts only a verified OIDC token for its audience in oidc mode", async () => {
    const seen: string[] = [];
    const oidc = await startRunner({
      config: env({ RUNNER_AUTH_MODE: "oidc", OIDC_AUDIENCE: "https://runner.test", OIDC_SERVICE_ACCOUNT: "tasks@demo-imagegen.iam.gserviceaccount.com" }),
      db: db(), log: quietLogger(),
      verifyIdToken: async (token, audience) => {
        seen.push(audience);
        if (token !== "valid-token") throw new Error("bad token");
        return { email: "tasks@demo-imagegen.iam.gserviceaccount.com", email_verified: true };
      },
    });
    const id = await request();
    expect((await push(oidc, id, { "x-runner-token": "dev-runner-secret" })).status).toBe(401);
    expect((await push(oidc, id, { authorization: "Bearer forged" })).status).toBe(401);
    expect((await ref(id).get()).get("attempts")).toBe(0);
    expect(await push(oidc, id, { authorization: "Bearer valid-token" })).toEqual({ status: 200, body: { result: "succeeded", outputs: 1 } });
    expect(seen).toEqual(["https://runner.test", "https://runner.test"]);
    await oidc.shutdown();
  });
});
