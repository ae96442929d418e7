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
