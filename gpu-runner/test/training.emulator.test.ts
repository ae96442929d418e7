import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { Timestamp } from "firebase-admin/firestore";
import { db } from "../../test-support/emulator";
import { until } from "../../test-support/wait";
import { startFakeComfy, type FakeComfy } from "../../fake-comfyui/src/server";
import { LORA_MARK_ROWS, loraMark } from "../../fake-comfyui/src/lora-mark";
import { fakeLoraFile, readSafetensorsHeader } from "../../fake-comfyui/src/safetensors";
import { startRunner, type Runner } from "../src/app";
import { loadConfig } from "../src/config";
import { LocalStorage } from "../src/storage";
import { data, pushTask, queuedRequest, runnerEnv, SECRET } from "./harness";
import { captureLogger, historySpanMs } from "./helpers";
import { filesUnder, modelData, modelRef, pushTrain, queuedModel, sha256, updateModelWhileRunning, waitForModel } from "./training-harness";

// Issue 15, runner side: the train job kind against the Firestore emulator, the fake ComfyUI's
// training nodes (real files on disk) and local storage. A short lease and a slow fake (stepMs)
// stand in for a run that outlives Cloud Tasks' dispatch deadline.
jest.setTimeout(60_000);

const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "train-storage-"));
const storage = new LocalStorage(storageDir);
let fake: FakeComfy;
let runner: Runner;
const logs = captureLogger();
/** The parent's env minus what would change the mode (jest sets NODE_ENV=test). */
const baseEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !["NODE_ENV", "K_SERVICE"].includes(k)));
const env = (extra: Record<string, string> = {}) => runnerEnv(fake, storageDir, { LEASE_SECONDS: "6", JOB_TIMEOUT_SECONDS: "20", ...extra });

beforeAll(async () => {
  fake = await startFakeComfy({ port: 0, imageMs: 20 });
  runner = await startRunner({ config: loadConfig(env()), db: db(), log: logs.log });
});
afterAll(async () => {
  await runner.shutdown();
  await fake.close();
});
afterEach(() => fake.faults.set({ mode: "none", imageMs: 20, stepMs: 10 }));

const trainingPrompts = (id: string) => fake.engine.accepted.filter((p) => JSON.stringify(p.prompt).includes(`imagegen-train/${id}/`));
const succeededRuns = (id: string) => {
  const ids = new Set(trainingPrompts(id).map((p) => p.promptId));
  return fake.engine.executions.filter((e) => ids.has(e.promptId) && e.ok).length;
};
const comfyTrainingFiles = (id: string) => [
  ...filesUnder(path.join(fake.files.dir("input"), "imagegen-train", id)),
  ...filesUnder(path.join(fake.files.dir("output"), "loras", "imagegen-train", id)),
];
const storedLoras = (uid: string, id: string) => filesUnder(path.join(storageDir, "loras", uid, id));

describe("training jobs (customModels + fake ComfyUI training nodes)", () => {
  it("queued → training with per-step progress → ready; the LoRA is stored under its sha256 and ComfyUI's folders are emptied", async () => {
    fake.faults.set({ mode: "none", stepMs: 60 });
    const { id, uid } = await queuedModel(storage, { count: 10, steps: 20 });
    const seen: { status: string; progress: number; step: number }[] = [];
    const stop = modelRef(id).onSnapshot((s) => void seen.push({ status: s.get("status"), progress: s.get("progress"), step: s.get("step") }));
    // The dataset folder holds the 10 uploaded PNGs with their captions while training runs.
    const uploaded = waitForModel(id, (d) => d.step > 0).then(() => filesUnder(path.join(fake.files.dir("input"), "imagegen-train", id)));
    const res = await pushTrain(runner.url, id, 0);
    expect(res).toMatchObject({ status: 200, body: { result: "ready" } });
    const inFolder = await uploaded;
    stop();
    expect(inFolder.filter((f) => f.endsWith(".png"))).toHaveLength(10);
    expect(inFolder.filter((f) => f.endsWith(".txt"))).toHaveLength(10);

    const doc = await modelData(id);
    expect(doc).toMatchObject({ status: "ready", progress: 1, attempts: 1, lease: null, error: null, refunded: false });
    expect(doc.readyAt.toMillis()).toBeGreaterThanOrEqual(doc.startedAt.toMillis());
    const training = seen.filter((s) => s.status === "training" && s.progress > 0 && s.progress < 1);
    expect(training.length).toBeGreaterThan(0);
    expect(training.every((s) => s.step >= 1 && s.step <= 20)).toBe(true);
    // the LoRA: stored at the contract's path, its sha256 and size right, a real safetensors file
    const bytes = await storage.get(doc.lora.path);
    expect(doc.lora).toEqual({ path: `loras/${uid}/${id}/${sha256(bytes!)}.safetensors`, sha256: sha256(bytes!), bytes: bytes!.length });
    expect(Object.keys(readSafetensorsHeader(bytes!)).length).toBeGreaterThan(0);
    // the fake's captions and images reached TrainLoraNode, and each step was reported once
    const prompt = trainingPrompts(id);
    expect(prompt).toHaveLength(1);
    expect(comfyTrainingFiles(id)).toEqual([]);
    // GPU time of the training run: ComfyUI's own execution span of the prompt.
    expect(doc.gpuSeconds).toBe(historySpanMs(fake, prompt[0].promptId, "execution_success") / 1000);
    expect(doc.gpuSeconds).toBeGreaterThan(0);
  });

  it("a fault during training ends `failed` with the public error; the runner refunds nothing and stores nothing", async () => {
    fake.faults.set({ mode: "execution_error", count: 1, stepMs: 5 });
    const { id, uid } = await queuedModel(storage, { steps: 10 });
    const res = await pushTrain(runner.url, id, 0);
    expect(res).toEqual({ status: 200, body: { result: "failed", code: "COMFY_EXECUTION_ERROR" } });
    const doc = await modelData(id);
    expect(doc).toMatchObject({ status: "failed", refunded: false, lora: null, lease: null, error: { code: "COMFY_EXECUTION_ERROR", message: "The image generator failed while rendering this request." } });
    expect(storedLoras(uid, id)).toEqual([]);
    expect(comfyTrainingFiles(id)).toEqual([]);
    expect(doc.gpuSeconds).toBe(historySpanMs(fake, trainingPrompts(id)[0].promptId, "execution_error") / 1000);
  });

  it("an unreadable photo fails the model permanently (TRAINING_INPUT_INVALID) before anything is submitted", async () => {
    const { id } = await queuedModel(storage, { count: 2 });
    const doc = await modelData(id);
    await storage.put(doc.train.photos[1].path, Buffer.from("tampered"), "image/jpeg");
    expect((await pushTrain(runner.url, id, 0)).body).toEqual({ result: "failed", code: "TRAINING_INPUT_INVALID" });
    expect(trainingPrompts(id)).toEqual([]);
  });

  it("a duplicate delivery while training answers 2xx busy and does nothing: one run", async () => {
    fake.faults.set({ mode: "none", stepMs: 50 });
    const { id } = await queuedModel(storage, { steps: 30 });
    const first = pushTrain(runner.url, id, 0);
    await waitForModel(id, (d) => d.status === "training" && d.step > 0);
    expect(await pushTrain(runner.url, id, 1)).toMatchObject({ status: 200, body: { result: "busy" } });
    expect((await first).body.result).toBe("ready");
    expect(trainingPrompts(id)).toHaveLength(1);
    expect((await modelData(id)).attempts).toBe(1);
  });

  it("a runner that lost its lease mid-training (died, expired) stops; the redelivery reclaims and trains once", async () => {
    fake.faults.set({ mode: "none", stepMs: 60 });
    const { id, uid } = await queuedModel(storage, { steps: 40 });
    const first = pushTrain(runner.url, id, 0);
    await waitForModel(id, (d) => d.step > 0);
    // What a dead runner leaves: its lease, expired. The first delivery must give up (and stop its prompt).
    await updateModelWhileRunning(id, { lease: { owner: "dead-runner/1", expiresAt: Timestamp.fromMillis(Date.now() - 1000) } });
    expect((await first).body.result).toBe("lease-lost");
    const again = await pushTrain(runner.url, id, 1);
    expect(again.body.result).toBe("ready");
    const doc = await modelData(id);
    expect(doc).toMatchObject({ status: "ready", attempts: 2 });
    expect(succeededRuns(id)).toBe(1);
    expect(storedLoras(uid, id)).toEqual([`${doc.lora.sha256}.safetensors`]);
  });

  it("a runner process killed mid-training: the reclaim follows the prompt still running in ComfyUI instead of training again", async () => {
    fake.faults.set({ mode: "none", stepMs: 40 });
    const { id } = await queuedModel(storage, { steps: 60 });
    const env = { ...baseEnv(), ...runnerEnv(fake, storageDir, { LEASE_SECONDS: "6", LOG_LEVEL: "info" }) };
    const child = spawn(process.execPath, [path.join(__dirname, "..", "lib", "main.js")], { env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    let during: FirebaseFirestore.DocumentData;
    try {
      const port = await until("runner to listen", async () => /"message":"runner\.listening".*?"port":(\d+)/.exec(out)?.[1], 20_000, 50);
      void pushTrain(`http://127.0.0.1:${port}`, id, 0).catch(() => undefined);
      during = await waitForModel(id, (d) => d.step > 0 && d.comfy?.promptId);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    // Its lease runs out (forced here instead of waited for); the redelivery reclaims.
    await modelRef(id).update({ "lease.expiresAt": Timestamp.fromMillis(Date.now() - 1000) });
    const res = await pushTrain(runner.url, id, 1);
    expect(res.body.result).toBe("ready");
    expect(trainingPrompts(id).map((p) => p.promptId)).toEqual([during.comfy.promptId]);
    expect(succeededRuns(id)).toBe(1);
    expect(await modelData(id)).toMatchObject({ status: "ready", attempts: 2 });
  });

  it("deleted during training: no `ready`, nothing stored, ComfyUI's copies gone", async () => {
    fake.faults.set({ mode: "none", stepMs: 60 });
    const { id, uid } = await queuedModel(storage, { steps: 40 });
    const run = pushTrain(runner.url, id, 0);
    await waitForModel(id, (d) => d.step > 0);
    await updateModelWhileRunning(id, { status: "deleted", deletedAt: Timestamp.now() });
    expect((await run).body.result).toBe("lease-lost");
    expect((await modelData(id)).status).toBe("deleted");
    expect(storedLoras(uid, id)).toEqual([]);
    expect(comfyTrainingFiles(id)).toEqual([]);
    expect(fake.engine.interrupts).toContain(trainingPrompts(id)[0].promptId);
  });

  it("deleted between storing the LoRA and `ready`: the completion sees it, writes nothing and deletes the stored file", async () => {
    // The model is deleted at the worst moment: right after the LoRA reached storage.
    class DeletingStorage extends LocalStorage {
      async put(p: string, bytes: Buffer, contentType?: string): Promise<void> {
        await super.put(p, bytes, contentType);
        if (p.startsWith("loras/")) await modelRef(p.split("/")[2]).update({ status: "deleted", deletedAt: Timestamp.now() });
      }
    }
    const racing = await startRunner({ config: loadConfig(env()), db: db(), log: captureLogger().log, storage: new DeletingStorage(storageDir) });
    try {
      const { id, uid } = await queuedModel(storage, { count: 2, steps: 4 });
      expect((await pushTrain(racing.url, id, 0)).body).toEqual({ result: "discarded" });
      expect(await modelData(id)).toMatchObject({ status: "deleted", lora: null });
      expect(storedLoras(uid, id)).toEqual([]);
      expect(comfyTrainingFiles(id)).toEqual([]);
    } finally {
      await racing.shutdown();
    }
  });
});

describe("generation with a custom model's LoRA", () => {
  const storeLora = async (bytes: Buffer) => {
    const p = `loras/lora_user/cm_gen/${sha256(bytes)}.safetensors`;
    await storage.put(p, bytes, "application/octet-stream");
    return { path: p, sha256: sha256(bytes) };
  };
  const cacheFile = (hash: string) => path.join(fake.files.modelLoras, "imagegen", `${hash}.safetensors`);

  it("caches the file in ComfyUI's models/loras, inserts the loader, and the image carries the LoRA's mark", async () => {
    const bytes = fakeLoraFile("gen-test", 4, 10);
    const lora = await storeLora(bytes);
    const { id, uid } = await queuedRequest({ batchSize: 1, width: 64, height: 48, lora: { ...lora, strength: 0.9 } });
    expect((await pushTask(runner.url, id, { retryCount: 0 })).body).toEqual({ result: "succeeded", outputs: 1 });
    const out = (await data(id)).outputs[0];
    const { data: px, info } = await sharp((await storage.get(out.path))!).raw().toBuffer({ resolveWithObject: true });
    const mark = loraMark(bytes, 0.9);
    const o = (Math.floor(LORA_MARK_ROWS / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
    for (const [got, want] of [[px[o], mark.r], [px[o + 1], mark.g], [px[o + 2], mark.b]]) expect(Math.abs(got - want)).toBeLessThanOrEqual(8);
    expect(fs.existsSync(cacheFile(lora.sha256))).toBe(true);
    const prompt = fake.engine.accepted.find((p) => JSON.stringify(p.prompt).includes(`imagegen/${id}/`))!;
    expect(Object.values(prompt.prompt).map((n) => n.class_type)).toContain("LoraLoader");
    expect(out.path.startsWith(`generations/${uid}/${id}/`)).toBe(true);
  });

  it("a missing or corrupt LoRA fails the job permanently with LORA_UNAVAILABLE", async () => {
    const missing = await queuedRequest({ batchSize: 1, lora: { path: "loras/nobody/x/none.safetensors", sha256: "0".repeat(64), strength: 1 } });
    expect((await pushTask(runner.url, missing.id, { retryCount: 0 })).body).toEqual({ result: "failed", code: "LORA_UNAVAILABLE" });
    const good = await storeLora(fakeLoraFile("corrupt-test", 4, 10));
    await storage.put(good.path, Buffer.from("not the file that was trained"), "application/octet-stream");
    const corrupt = await queuedRequest({ batchSize: 1, lora: { ...good, strength: 1 } });
    expect((await pushTask(runner.url, corrupt.id, { retryCount: 0 })).body).toEqual({ result: "failed", code: "LORA_UNAVAILABLE" });
    expect((await data(corrupt.id)).error).toEqual({ code: "LORA_UNAVAILABLE", message: "The custom model's file is missing or damaged." });
    expect(fs.existsSync(cacheFile(good.sha256))).toBe(false);
  });

  it("POST /tasks/evict-lora removes the cached copy (200 also when there is none)", async () => {
    const lora = await storeLora(fakeLoraFile("evict-test", 4, 10));
    const { id } = await queuedRequest({ batchSize: 1, lora: { ...lora, strength: 1 } });
    await pushTask(runner.url, id, { retryCount: 0 });
    expect(fs.existsSync(cacheFile(lora.sha256))).toBe(true);
    const evict = () => fetch(`${runner.url}/tasks/evict-lora`, { method: "POST", headers: { "content-type": "application/json", "x-runner-token": SECRET }, body: JSON.stringify({ customModelId: "cm_gen", sha256: lora.sha256 }) });
    const first = await evict();
    expect([first.status, await first.json()]).toEqual([200, { result: "evicted", removed: 1 }]);
    expect(fs.existsSync(cacheFile(lora.sha256))).toBe(false);
    const second = await evict();
    expect([second.status, await second.json()]).toEqual([200, { result: "evicted", removed: 0 }]);
    const unauth = await fetch(`${runner.url}/tasks/evict-lora`, { method: "POST", body: "{}" });
    expect(unauth.status).toBe(401);
  });

  it("a runner not configured for training answers 503 JOB_KIND_NOT_SERVED, so the task is retried elsewhere", async () => {
    const genOnly = await startRunner({ config: loadConfig(env({ RUNNER_JOB_KINDS: "generate" })), db: db(), log: captureLogger().log });
    try {
      const { id } = await queuedModel(storage, { count: 1 });
      const res = await pushTrain(genOnly.url, id, 0);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("JOB_KIND_NOT_SERVED");
      expect((await modelData(id)).status).toBe("queued");
    } finally {
      await genOnly.shutdown();
    }
  });
});
