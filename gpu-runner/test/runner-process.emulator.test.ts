// The built runner as a process, as Cloud Run runs it: fail-closed boot in production mode, and
// SIGTERM handled within the platform's grace period without losing or doubling a job.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { db } from "../../test-support/emulator";
import { until } from "../../test-support/wait";
import { startRunner } from "../src/app";
import { loadConfig } from "../src/config";
import { startFakeComfy, type FakeComfy } from "../../fake-comfyui/src/server";
import { comfyFiles, data, pushTask, queuedRequest, runnerEnv } from "./harness";
import { quietLogger } from "./helpers";

jest.setTimeout(40_000);

const main = path.join(__dirname, "..", "lib", "main.js");
const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-process-"));
/** The parent's env minus what would change the mode (jest sets NODE_ENV=test). */
const baseEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !["NODE_ENV", "K_SERVICE"].includes(k)));

describe("production mode boot (NODE_ENV=production or K_SERVICE)", () => {
  const boot = (env: Record<string, string>) => {
    const res = spawnSync(process.execPath, [main], { env: { ...baseEnv(), PORT: "0", ...env }, encoding: "utf8", timeout: 20_000 });
    const last = res.stderr.trim().split("\n").at(-1) ?? "{}";
    return { status: res.status, line: JSON.parse(last) as Record<string, string> };
  };

  it("exits non-zero without explicit auth, bucket and ComfyUI folders, naming each variable", () => {
    const { status, line } = boot({ NODE_ENV: "production" });
    expect(status).toBe(1);
    expect(line).toMatchObject({ severity: "ERROR", message: "runner.boot_rejected" });
    for (const v of ["RUNNER_AUTH_MODE", "STORAGE_BUCKET", "COMFY_BASE_DIR"]) expect(line.error).toMatch(new RegExp(`^  ${v}: `, "m"));
  });

  it("on Cloud Run (K_SERVICE) refuses the public shared secret and OIDC without the expected service account", () => {
    const common = { K_SERVICE: "gpu-runner", STORAGE_BUCKET: "b", COMFY_BASE_DIR: "/opt/ComfyUI" };
    const shared = boot({ ...common, RUNNER_AUTH_MODE: "shared-secret", RUNNER_SHARED_SECRET: "dev-runner-secret" });
    expect(shared.status).toBe(1);
    expect(shared.line.error).toMatch(/RUNNER_SHARED_SECRET: is the public development default/);
    const oidc = boot({ ...common, RUNNER_AUTH_MODE: "oidc", OIDC_AUDIENCE: "https://runner.example.com" });
    expect(oidc.status).toBe(1);
    expect(oidc.line.error).toMatch(/OIDC_SERVICE_ACCOUNT: required when RUNNER_AUTH_MODE=oidc/);
  });
});

describe("SIGTERM drain (Cloud Run: SIGKILL 10 s after SIGTERM)", () => {
  let fake: FakeComfy;
  beforeAll(async () => (fake = await startFakeComfy({ port: 0, imageMs: 40 })));
  afterAll(() => fake.close());
  afterEach(() => fake.faults.set({ mode: "none", imageMs: 40 }));

  /** `node lib/main.js` on a free port; resolves once it listens. */
  async function spawnRunner(extra: Record<string, string>) {
    const env = { ...baseEnv(), ...runnerEnv(fake, storageDir, { JOB_TIMEOUT_SECONDS: "60", LOG_LEVEL: "info", ...extra }) };
    const child = spawn(process.execPath, [main], { env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const port = await until("runner to listen", async () => /"message":"runner\.listening".*?"port":(\d+)/.exec(out)?.[1], 20_000, 50);
    return { child, exited, url: `http://127.0.0.1:${port}`, logs: () => out };
  }

  it("with the defaults, releases a hanging job and exits inside Cloud Run's 10 s; a retry then completes it exactly once", async () => {
    const r = await spawnRunner({});
    fake.faults.set({ mode: "hang", count: 1 });
    const { id } = await queuedRequest({ batchSize: 1 });
    const pending = pushTask(r.url, id, { retryCount: 0 });
    await until("the prompt to hang in ComfyUI", async () => (fake.engine.running && JSON.stringify(fake.engine.running.prompt).includes(id) ? true : undefined), 20_000, 20);
    const sentAt = Date.now();
    r.child.kill("SIGTERM");
    expect(await pending).toEqual({ status: 503, body: { result: "retry", code: "SHUTTING_DOWN", message: "The runner is shutting down; the job will be retried." } });
    expect(await r.exited).toBe(0);
    // A platform bound, not a speed claim: SIGKILL follows SIGTERM after 10 s on Cloud Run.
    expect(Date.now() - sentAt).toBeLessThan(10_000);
    const released = await data(id);
    expect(released).toMatchObject({ status: "running", attempts: 1 });
    expect(released.lease.expiresAt.toMillis()).toBeLessThanOrEqual(Date.now());
    expect(fake.engine.interrupts).toContain(released.comfy.promptId);
    // Cloud Tasks' next delivery, to another instance.
    const next = await startRunner({ config: loadConfig(runnerEnv(fake, storageDir)), db: db(), log: quietLogger() });
    expect(await pushTask(next.url, id, { retryCount: 1 })).toEqual({ status: 200, body: { result: "succeeded", outputs: 1 } });
    expect(await pushTask(next.url, id, { retryCount: 2 })).toEqual({ status: 200, body: { result: "already-done", status: "succeeded" } });
    await next.shutdown();
    expect(await data(id)).toMatchObject({ status: "succeeded", attempts: 2, outputs: [expect.objectContaining({ width: 128 })] });
    const succeeded = [...fake.engine.history.entries()].filter(([, h]) => JSON.stringify(h).includes(`imagegen/${id}/`) && (h as { status: { status_str: string } }).status.status_str === "success");
    expect(succeeded).toHaveLength(1);
    expect(comfyFiles(fake)).toEqual([]);
    expect(r.logs()).toMatch(/"message":"runner\.releasing"/);
  });

  it("lets a job that finishes within the drain complete, then exits", async () => {
    const r = await spawnRunner({ SHUTDOWN_GRACE_SECONDS: "10", DRAIN_TIMEOUT_SECONDS: "7" });
    fake.faults.set({ mode: "none", imageMs: 300 });
    const { id } = await queuedRequest({ batchSize: 1 });
    const pending = pushTask(r.url, id, { retryCount: 0 });
    await until("the prompt to run in ComfyUI", async () => (fake.engine.running && JSON.stringify(fake.engine.running.prompt).includes(id) ? true : undefined), 20_000, 20);
    r.child.kill("SIGTERM");
    expect(await pending).toEqual({ status: 200, body: { result: "succeeded", outputs: 1 } });
    expect(await r.exited).toBe(0);
    expect(await data(id)).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(r.logs()).not.toMatch(/"message":"runner\.releasing"/);
  });
});
