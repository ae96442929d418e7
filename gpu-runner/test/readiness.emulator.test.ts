import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { db } from "../../test-support/emulator";
import { startRunner, type Runner } from "../src/app";
import { loadConfig } from "../src/config";
import { startFakeComfy, type FakeComfy } from "../../fake-comfyui/src/server";
import { objectInfoFixture } from "../../fake-comfyui/src/nodes";
import { runnerEnv, SECRET } from "./harness";
import { captureLogger } from "./helpers";
import { until } from "../../test-support/wait";

// Readiness per job kind: a ComfyUI that would refuse the training template (here: without
// TrainLoraNode) leaves the runner ready for generation, and training tasks get a 503 naming why.

const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-storage-"));
let fake: FakeComfy;
let runner: Runner;

beforeAll(async () => {
  fake = await startFakeComfy({ port: 0, imageMs: 40, withoutNodes: ["TrainLoraNode"] });
  runner = await startRunner({ config: loadConfig(runnerEnv(fake, storageDir)), db: db(), log: captureLogger().log });
});
afterAll(async () => {
  await runner.shutdown();
  await fake.close();
});

describe("gpu-runner readiness per template", () => {
  it("reports ComfyUI's version, stays ready for generation and refuses training without a training node", async () => {
    const res = await fetch(`${runner.url}/readyz`);
    const body = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(body).toMatchObject({
      status: "ready",
      comfyui: { version: objectInfoFixture().comfyui_version },
      checks: { templates: true, comfy: true, nodes: true, draining: false },
      kinds: { generate: true, train: false },
      templates: { txt2img: { ok: true }, "train-lora": { ok: false, problems: ["node type TrainLoraNode is not installed"] } },
    });
    const train = await fetch(`${runner.url}/tasks/train`, { method: "POST", headers: { "content-type": "application/json", "x-runner-token": SECRET }, body: JSON.stringify({ customModelId: "m1" }) });
    expect(train.status).toBe(503);
    expect(((await train.json()) as any).error).toMatchObject({ code: "JOB_KIND_NOT_SERVED", message: expect.stringContaining("TrainLoraNode") });
  });

  it("fails readiness once ComfyUI's worker is known stuck (an ignored interrupt or the watchdog), naming the prompt", async () => {
    runner.ctx.comfy.health.markStuck("prompt p1 still running 30 s after its interrupt");
    const res = await fetch(`${runner.url}/readyz`);
    expect(res.status).toBe(503);
    expect((await res.json()) as any).toMatchObject({ status: "not-ready", checks: { comfyWorker: false }, stuck: "prompt p1 still running 30 s after its interrupt" });
  });
});

describe("warm start", () => {
  let warmFake: FakeComfy;
  let warmRunner: Runner;
  const warmDir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-warm-"));
  beforeAll(async () => {
    warmFake = await startFakeComfy({ port: 0, imageMs: 40 });
    warmRunner = await startRunner({ config: loadConfig(runnerEnv(warmFake, warmDir, { WARMUP_TEMPLATE: "txt2img" })), db: db(), log: captureLogger().log });
  });
  afterAll(async () => {
    await warmRunner.shutdown();
    await warmFake.close();
  });

  it("runs a one-step 64×64 prompt first and is ready only after it, reporting its time", async () => {
    // Held before its last step: the warm-up is running, so the runner must not be ready yet.
    warmFake.engine.hold();
    const probe = async () => {
      const res = await fetch(`${warmRunner.url}/readyz`);
      return { status: res.status, body: (await res.json()) as any };
    };
    const first = await probe();
    expect(first.status).toBe(503);
    expect(first.body.checks).toMatchObject({ comfy: true, nodes: true, warm: false });
    await until("the warm-up prompt reaches ComfyUI", async () => (warmFake.engine.accepted.length ? true : undefined), 30_000, 20);
    expect((await probe()).body.warmup).toMatchObject({ state: "running", template: "txt2img", attempts: 1 });
    expect((await probe()).status).toBe(503);
    warmFake.engine.release();
    const ready = await until("ready after the warm-up", async () => { const p = await probe(); return p.status === 200 ? p : undefined; }, 30_000, 20);
    expect(ready.body).toMatchObject({ status: "ready", checks: { warm: true }, warmup: { state: "done", template: "txt2img", ms: expect.any(Number), attempts: 1 } });
    // One warm-up prompt, the tiny one, and its image is already gone from ComfyUI's output folder.
    expect(warmFake.engine.accepted).toHaveLength(1);
    const sent = warmFake.engine.accepted[0].prompt as Record<string, { inputs: Record<string, unknown> }>;
    expect(sent["5"].inputs).toEqual({ width: 64, height: 64, batch_size: 1 });
    expect(sent["3"].inputs.steps).toBe(1);
    expect(fs.existsSync(path.join(warmFake.files.dir("output"), "imagegen-warmup"))).toBe(false);
  });
});
