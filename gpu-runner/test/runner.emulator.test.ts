import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Timestamp } from "firebase-admin/firestore";
import sharp from "sharp";
import { db } from "../../test-support/emulator";
import { until } from "../../test-support/wait";
import { startRunner, type Runner } from "../src/app";
import { loadConfig } from "../src/config";
import { startFakeComfy, type FakeComfy } from "../../fake-comfyui/src/server";
import { LocalStorage, signedFileUrl } from "../src/storage";
import { runnerEnv, data, pushTask, queuedRequest, ref, SECRET, SHORT_JOB_TIMEOUT, waitForStatus, type PushOptions } from "./harness";
import { captureLogger, historyMessages, historySpanMs, webpChunks } from "./helpers";

const MAX_ATTEMPTS = 3;
const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-storage-"));
const env = (f: FakeComfy, extra: Record<string, string> = {}) => runnerEnv(f, storageDir, { MAX_ATTEMPTS: String(MAX_ATTEMPTS), ...extra });

// Generous per-test ceiling for slow CI machines; no assertion depends on elapsed time.
jest.setTimeout(30_000);

let fake: FakeComfy;
let runner: Runner;
const logs = captureLogger();

beforeAll(async () => {
  fake = await startFakeComfy({ port: 0, imageMs: 40 });
  runner = await startRunner({ config: loadConfig(env(fake)), db: db(), log: logs.log });
});
afterAll(async () => {
  await runner.shutdown();
  await fake.close();
  if (process.env.DUMP_RUNNER_LOGS) fs.writeFileSync(process.env.DUMP_RUNNER_LOGS, logs.lines().map((l) => JSON.stringify(l)).join("\n"));
});
afterEach(() => {
  fake.engine.release();
  fake.faults.set({ mode: "none", imageMs: 40 });
});

const push = (requestId: unknown, opts: PushOptions = {}) => pushTask(runner.url, requestId, opts);
const promptsFor = (id: string) => fake.engine.accepted.filter((p) => JSON.stringify(p.prompt).includes(`imagegen/${id}/`));

describe("gpu-runner task endpoint (Firestore emulator + fake ComfyUI)", () => {
  it("runs a queued request to succeeded: WebP outputs without text chunks, thumbnails, progress rising to 1", async () => {
    fake.faults.set({ mode: "none", imageMs: 600 });
    const { id, uid } = await queuedRequest();
    const seen: number[] = [];
    const stop = ref(id).onSnapshot((s) => void (typeof s.get("progress") === "number" && seen.push(s.get("progress"))));
    // Held before its last step until two intermediate progress values have reached Firestore.
    fake.engine.hold();
    const pushed = push(id, { retryCount: 0 });
    await until("two intermediate progress snapshots", async () => (seen.filter((v) => v > 0 && v < 1).length >= 2 ? true : undefined), 30_000, 20);
    fake.engine.release();
    const res = await pushed;
    expect(res).toEqual({ status: 200, body: { result: "succeeded", outputs: 2 } });
    await until("the last progress snapshot", async () => (seen.at(-1) === 1 ? true : undefined), 30_000, 20);
    stop();
    const doc = await data(id);
    expect(doc).toMatchObject({ status: "succeeded", attempts: 1, progress: 1, lease: null, error: null, refunded: false });
    expect(doc.finishedAt.toMillis()).toBeGreaterThanOrEqual(doc.startedAt.toMillis());
    expect(doc.durationMs).toBeGreaterThan(0);
    expect(doc.comfy).toEqual({ promptId: expect.stringMatching(/^[0-9a-f-]{36}$/), clientId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    // The ids saved at claim time are the ones ComfyUI ran the prompt under.
    expect(fake.engine.accepted.filter((p) => p.promptId === doc.comfy.promptId).map((p) => p.clientId)).toEqual([doc.comfy.clientId]);
    const t = Object.fromEntries(Object.entries(doc.timings as Record<string, { toMillis(): number }>).map(([k, v]) => [k, v.toMillis()]));
    const order = ["deliveredAt", "claimedAt", "submittedAt", "executionEndedAt", "fetchedAt", "storedAt", "completedAt"];
    expect(order.map((k) => t[k]).every((v, i, a) => typeof v === "number" && (i === 0 || v >= a[i - 1]))).toBe(true);
    const storage = new LocalStorage(storageDir);
    expect(doc.outputs).toHaveLength(2);
    for (const [i, out] of doc.outputs.entries()) {
      expect(out).toEqual({ path: `generations/${uid}/${id}/${i}.webp`, thumbnailPath: `generations/${uid}/${id}/${i}.thumb.webp`, contentType: "image/webp", width: 128, height: 96, bytes: expect.any(Number), seed: 42 });
      const bytes = (await storage.get(out.path))!;
      expect(bytes.length).toBe(out.bytes);
      expect(await sharp(bytes).metadata()).toMatchObject({ format: "webp", width: 128, height: 96 });
      expect(webpChunks(bytes).filter((c) => c !== "VP8 " && c !== "VP8L" && c !== "VP8X" && c !== "ALPH")).toEqual([]);
      expect(bytes.includes(Buffer.from("tEXt")) || bytes.includes(Buffer.from("KSampler"))).toBe(false);
      expect(await sharp((await storage.get(out.thumbnailPath))!).metadata()).toMatchObject({ format: "webp", width: 128 });
    }
    // ComfyUI's own PNG (which carries the workflow) is deleted once ours are stored.
    const original = fake.engine.history.get(doc.comfy.promptId) as { outputs: Record<string, { images: { filename: string; subfolder: string }[] }> };
    const img = original.outputs["9"].images[0];
    expect(img.subfolder).toBe(`imagegen/${id}`);
    expect((await fetch(`${fake.url}/view?${new URLSearchParams({ ...img, type: "output" })}`)).status).toBe(404);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(seen.filter((v) => v > 0 && v < 1).length).toBeGreaterThanOrEqual(2);
    expect(seen.every((v, i) => i === 0 || v >= seen[i - 1])).toBe(true);
    expect(seen.at(-1)).toBe(1);
    // GPU time: ComfyUI's own execution span, execution_start to execution_success, in seconds.
    expect(doc.gpuSeconds).toBe(historySpanMs(fake, doc.comfy.promptId, "execution_success") / 1000);
    expect(doc.gpuSeconds).toBeGreaterThan(0);
  });

  it("counts GPU time from execution start only: a prompt queued behind another is not charged the wait", async () => {
    fake.faults.set({ mode: "none", imageMs: 200 });
    const blocker = await queuedRequest();
    const waiting = await queuedRequest();
    fake.engine.hold();
    const first = push(blocker.id, { retryCount: 0 });
    await until("the blocker runs", async () => (fake.engine.running ? true : undefined), 30_000, 20);
    const second = push(waiting.id, { retryCount: 0 });
    // The second prompt is in ComfyUI's queue (submitted) while the first is held.
    await until("the second prompt queued", async () => (promptsFor(waiting.id).length ? true : undefined), 30_000, 20);
    fake.engine.release();
    await Promise.all([first, second]);
    const doc = await data(waiting.id);
    const blockerDoc = await data(blocker.id);
    const submitted = doc.timings.submittedAt.toMillis();
    const started = historyMessages(fake, doc.comfy.promptId).find(([n]) => n === "execution_start")![1].timestamp as number;
    const blockerEnded = historyMessages(fake, blockerDoc.comfy.promptId).find(([n]) => n === "execution_success")![1].timestamp as number;
    // It was submitted while the blocker ran and started only after the blocker ended ...
    expect(submitted).toBeLessThanOrEqual(blockerEnded);
    expect(started).toBeGreaterThanOrEqual(blockerEnded);
    // ... and its GPU time is its own execution span, the wait in the queue left out.
    expect(doc.gpuSeconds).toBe(historySpanMs(fake, doc.comfy.promptId, "execution_success") / 1000);
    expect(blockerDoc.gpuSeconds).toBe(historySpanMs(fake, blockerDoc.comfy.promptId, "execution_success") / 1000);
  });

  it("serves outputs on /files only with a valid, unexpired signature", async () => {
    const { id } = await queuedRequest({ batchSize: 1 });
    expect((await push(id)).status).toBe(200);
    const out = (await data(id)).outputs[0];
    const url = signedFileUrl(runner.url, "dev-storage-secret", out.path, 60);
    const ok = await fetch(url);
    expect([ok.status, ok.headers.get("content-type")]).toEqual([200, "image/webp"]);
    expect(Buffer.from(await ok.arrayBuffer()).length).toBe(out.bytes);
    expect((await fetch(url.replace(/sig=./, (m) => (m.endsWith("0") ? "sig=1" : "sig=0")))).status).toBe(403);
    expect((await fetch(signedFileUrl(runner.url, "dev-storage-secret", out.path, -10))).status).toBe(403);
    expect((await fetch(`${runner.url}/files/${out.path}`)).status).toBe(403);
  });

  it("answers a duplicate push while running with non-2xx and processes the job once; a push after success is a no-op", async () => {
    const { id } = await queuedRequest({ batchSize: 1 });
    const running = waitForStatus(id, "running");
    // The first delivery's prompt is held in ComfyUI until the duplicate has been answered.
    fake.engine.hold();
    const first = push(id, { retryCount: 0 });
    await running;
    const dup = await push(id, { retryCount: 0 });
    fake.engine.release();
    expect(dup.status).toBe(409);
    expect(dup.body.result).toBe("busy");
    expect((await first).body.result).toBe("succeeded");
    const after = await push(id, { retryCount: 1 });
    expect(after).toEqual({ status: 200, body: { result: "already-done", status: "succeeded" } });
    expect(promptsFor(id)).toHaveLength(1);
    expect((await data(id)).attempts).toBe(1);
  });

  it("ends failed with COMFY_EXECUTION_ERROR on an execution error and never touches credits", async () => {
    fake.faults.set({ mode: "execution_error", count: 1 });
    const { id } = await queuedRequest();
    const res = await push(id, { retryCount: 0 });
    expect(res).toEqual({ status: 200, body: { result: "failed", code: "COMFY_EXECUTION_ERROR" } });
    const doc = await data(id);
    // The user sees a stable code and a fixed sentence; ComfyUI's exception text is in the log only.
    expect(doc).toMatchObject({ status: "failed", lease: null, refunded: false, outputs: [], error: { code: "COMFY_EXECUTION_ERROR", message: "The image generator failed while rendering this request." } });
    expect(doc.finishedAt).toBeInstanceOf(Timestamp);
    // A failed prompt used the GPU too: execution_start to execution_error.
    expect(doc.gpuSeconds).toBe(historySpanMs(fake, doc.comfy.promptId, "execution_error") / 1000);
    expect(logs.lines()).toContainEqual(expect.objectContaining({ message: "job.failed", requestId: id, code: "COMFY_EXECUTION_ERROR", error: expect.stringMatching(/KSampler #3: .*out of memory/) }));
  });

  it("ends failed with COMFY_INCOMPLETE_OUTPUT when ComfyUI returns fewer images than paid for, storing none (issue 12 item 4)", async () => {
    fake.faults.set({ mode: "short_batch", count: 1 });
    const { id, uid } = await queuedRequest({ batchSize: 2 });
    const res = await push(id, { retryCount: 0 });
    expect(res).toEqual({ status: 200, body: { result: "failed", code: "COMFY_INCOMPLETE_OUTPUT" } });
    const doc = await data(id);
    expect(doc).toMatchObject({ status: "failed", outputs: [], error: { code: "COMFY_INCOMPLETE_OUTPUT" } });
    // Before the fix: `succeeded` with one output at the price of two.
    expect(fs.existsSync(path.join(storageDir, "generations", uid, id))).toBe(false);
  });

  it("gives a retryable answer when ComfyUI refuses connections, leaving the request claimable", async () => {
    fake.faults.set({ mode: "refuse" });
    const { id } = await queuedRequest({ batchSize: 1 });
    const res = await push(id, { retryCount: 0 });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ result: "retry", code: "COMFY_UNAVAILABLE" });
    const doc = await data(id);
    expect(doc.status).toBe("running");
    expect(doc.lease.expiresAt.toMillis()).toBeLessThanOrEqual(Date.now());
    fake.faults.set({ mode: "none" });
    expect((await push(id, { retryCount: 1 })).body.result).toBe("succeeded");
    expect(await data(id)).toMatchObject({ status: "succeeded", attempts: 2 });
  });

  it("interrupts a hung prompt after the timeout and answers retryable", async () => {
    fake.faults.set({ mode: "hang", count: 1 });
    const { id } = await queuedRequest({ batchSize: 1 });
    const short = await startRunner({ config: loadConfig(env(fake, SHORT_JOB_TIMEOUT)), db: db(), log: captureLogger().log });
    const res = await pushTask(short.url, id, { retryCount: 0 }).finally(() => short.shutdown());
    expect(res.status).toBe(503);
    expect(res.body.code).toBe("COMFY_TIMEOUT");
    const doc = await data(id);
    expect(fake.engine.interrupts).toContain(doc.comfy.promptId);
    expect(doc.status).toBe("running");
    expect(doc.lease.expiresAt.toMillis()).toBeLessThanOrEqual(Date.now());
  });

  it("fails the request on the last attempt instead of asking for another retry", async () => {
    fake.faults.set({ mode: "refuse" });
    const { id } = await queuedRequest({ batchSize: 1 });
    const res = await push(id, { retryCount: MAX_ATTEMPTS - 1 });
    expect(res).toEqual({ status: 200, body: { result: "failed", code: "MAX_ATTEMPTS_EXCEEDED" } });
    expect(await data(id)).toMatchObject({ status: "failed", lease: null, error: { code: "MAX_ATTEMPTS_EXCEEDED", message: "Generation failed after 3 attempt(s) (last error: COMFY_UNAVAILABLE)." } });
    // The reason with ComfyUI's address and the socket error is logged, not stored.
    expect(JSON.stringify((await data(id)).error)).not.toMatch(/127\.0\.0\.1|ECONNRESET|fetch failed|\/prompt/);
  });

  it("fails permanently on a request whose render block is unusable", async () => {
    const { id } = await queuedRequest({ workflow: "no-such-template" });
    expect((await push(id)).body).toEqual({ result: "failed", code: "INVALID_REQUEST" });
    expect((await data(id)).error).toEqual({ code: "INVALID_REQUEST", message: "This request cannot be run as stored." });
    expect(logs.lines()).toContainEqual(expect.objectContaining({ message: "job.failed", requestId: id, error: expect.stringMatching(/no-such-template/) }));
  });

  it("runs image-to-image with the stored input image", async () => {
    const { id, uid } = await queuedRequest({ workflow: "img2img-staging", denoise: 0.6, batchSize: 1, width: 96, height: 64, inputImagePath: "" });
    const inputPath = `inputs/${uid}/${id}/input.png`;
    await new LocalStorage(storageDir).put(inputPath, await sharp({ create: { width: 200, height: 150, channels: 3, background: "grey" } }).png().toBuffer(), "image/png");
    await ref(id).update({ "render.inputImagePath": inputPath });
    expect((await push(id)).body.result).toBe("succeeded");
    expect((await data(id)).outputs[0]).toMatchObject({ width: 96, height: 64 });
    const sent = promptsFor(id)[0].prompt as Record<string, { inputs: Record<string, unknown> }>;
    expect(sent["10"].inputs.image).toBe(`imagegen/${id}.png`);
    expect(sent["3"].inputs.denoise).toBe(0.6);
  });

  it("rejects bad pushes: 401 without touching Firestore, 400 on a malformed body, 2xx + log for an unknown id", async () => {
    const { id } = await queuedRequest();
    expect((await push(id, { token: null })).status).toBe(401);
    expect((await push(id, { token: "wrong-secret" })).status).toBe(401);
    expect(await data(id)).toMatchObject({ status: "queued", attempts: 0 });
    expect((await push(id, { rawBody: "{not json" })).status).toBe(400);
    expect((await push(id, { rawBody: JSON.stringify({ id }) })).status).toBe(400);
    expect((await push("a/b")).status).toBe(400);
    const unknown = `missing_${randomUUID()}`;
    expect(await push(unknown)).toEqual({ status: 200, body: { result: "unknown-request" } });
    expect(logs.lines()).toContainEqual(expect.objectContaining({ severity: "WARNING", message: "task.unknown_request", requestId: unknown }));
    expect(await ref(unknown).get()).toMatchObject({ exists: false });
  });

  it("reports health and readiness from ComfyUI's /system_stats", async () => {
    expect((await fetch(`${runner.url}/healthz`)).status).toBe(200);
    expect((await (await fetch(`${runner.url}/readyz`)).json() as any)).toMatchObject({ status: "ready", comfyui: { version: "0.16.2" }, checks: { templates: true, comfy: true, nodes: true, draining: false }, kinds: { generate: true, train: true } });
    fake.faults.set({ mode: "refuse" });
    const down = await fetch(`${runner.url}/readyz`);
    expect(down.status).toBe(503);
    expect(((await down.json()) as any).checks.comfy).toBe(false);
  });
});

describe("gpu-runner boot", () => {
  const brokenDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "broken-templates-"));
    const src = path.join(__dirname, "..", "workflows");
    for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dir, f));
    const map = JSON.parse(fs.readFileSync(path.join(dir, "txt2img-sdxl.map.json"), "utf8"));
    fs.writeFileSync(path.join(dir, "txt2img-sdxl.map.json"), JSON.stringify({ ...map, steps: "3.inputs.num_steps" }));
    return dir;
  };

  it("refuses to start with a broken template, naming the node and the input", async () => {
    await expect(startRunner({ config: loadConfig(env(fake, { COMFY_URL: "http://127.0.0.1:1", TEMPLATES_DIR: brokenDir() })), db: db() }))
      .rejects.toThrow(/template "txt2img-sdxl": mapping "steps" → node "3" \(KSampler\) has no input "num_steps"/);
  });

  it("exits non-zero from the built entry point with the same message", () => {
    const main = path.join(__dirname, "..", "lib", "main.js");
    const res = spawnSync(process.execPath, [main], { env: { ...process.env, ...env(fake, { COMFY_URL: "http://127.0.0.1:1", TEMPLATES_DIR: brokenDir() }) }, encoding: "utf8", timeout: 20_000 });
    expect(res.status).toBe(1);
    const line = JSON.parse(res.stderr.trim().split("\n").at(-1)!);
    expect(line).toMatchObject({ severity: "ERROR", message: "runner.boot_rejected", error: expect.stringMatching(/node "3" \(KSampler\) has no input "num_steps"/) });
  });
});

describe("gpu-runner shutdown", () => {
  it("stops taking tasks on shutdown and releases a job that cannot finish in time", async () => {
    const local = await startFakeComfy({ port: 0, imageMs: 40 });
    const r = await startRunner({ config: loadConfig(env(local, { DRAIN_TIMEOUT_SECONDS: "0", JOB_TIMEOUT_SECONDS: "30" })), db: db(), log: captureLogger().log });
    local.faults.set({ mode: "hang" });
    const { id } = await queuedRequest({ batchSize: 1 });
    const running = waitForStatus(id, "running");
    const pending = fetch(`${r.url}/tasks/generate`, { method: "POST", headers: { "x-runner-token": SECRET, "content-type": "application/json" }, body: JSON.stringify({ requestId: id }) });
    await running;
    await new Promise<void>((resolve) => { const t = setInterval(() => local.engine.running && (clearInterval(t), resolve()), 20); });
    const stopped = r.shutdown();
    const res = await pending;
    expect(res.status).toBe(503);
    expect(((await res.json()) as any).code).toBe("SHUTTING_DOWN");
    await stopped;
    const doc = await data(id);
    expect(doc.status).toBe("running");
    expect(doc.lease.expiresAt.toMillis()).toBeLessThanOrEqual(Date.now());
    expect(local.engine.interrupts).toContain(doc.comfy.promptId);
    await local.close();
  });
});
