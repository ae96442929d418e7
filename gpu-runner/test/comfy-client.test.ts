import { randomUUID } from "node:crypto";
import path from "node:path";
import sharp from "sharp";
import { ComfyHttp } from "../src/comfy/http-client";
import { renderWorkflow } from "../src/comfy/render-workflow";
import { runPrompt, type RunOptions } from "../src/comfy/run-prompt";
import { loadTemplates } from "../src/comfy/templates";
import { RunnerError } from "../src/errors";
import { startFakeComfy, type FakeComfy } from "../../fake-comfyui/src/server";
import { readPngText } from "../src/shared/png-chunks";
import { quietLogger } from "./helpers";
import { until } from "../../test-support/wait";

const templates = loadTemplates(path.join(__dirname, "..", "workflows"));
const workflow = (over: Partial<Parameters<typeof renderWorkflow>[1]> = {}) =>
  renderWorkflow(templates.get("txt2img")!, {
    positivePrompt: "a red fox", negativePrompt: "", seed: 7, steps: 8, cfg: 7, width: 96, height: 64, batchSize: 2, filenamePrefix: `t/${randomUUID()}`, ...over,
  });

async function expectRunnerError(p: Promise<unknown>, code: string, retryable: boolean): Promise<RunnerError> {
  const err = await p.then(() => null, (e) => e);
  expect(err).toBeInstanceOf(RunnerError);
  expect({ code: err.code, retryable: err.retryable }).toEqual({ code, retryable });
  return err;
}

describe("ComfyUI client against the fake ComfyUI", () => {
  let fake: FakeComfy;
  let http: ComfyHttp;
  const opts = (over: Partial<RunOptions> = {}): RunOptions => ({ workflow: workflow(), timeoutMs: 10_000, pollIntervalMs: 100, reconnectMs: 20, log: quietLogger(), ...over });

  beforeAll(async () => {
    fake = await startFakeComfy({ port: 0, imageMs: 40 });
    http = new ComfyHttp(fake.url);
  });
  afterAll(() => fake.close());
  afterEach(() => fake.faults.set({ mode: "none", wsDrop: false, teardownMs: 0 }));

  it("runs a prompt: our prompt_id, progress over the socket, images fetched via /view", async () => {
    const promptId = randomUUID();
    const progress: number[] = [];
    const submitted: unknown[] = [];
    const res = await runPrompt(http, opts({ promptId, onProgress: (f) => progress.push(f), onSubmitted: (ids) => void submitted.push(ids) }));
    expect(res.promptId).toBe(promptId);
    expect(submitted).toEqual([{ promptId, clientId: expect.stringMatching(/^[0-9a-f-]{36}$/) }]);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((s) => s / 8));
    expect(res.images).toHaveLength(2);
    for (const img of res.images) {
      expect(img.ref.type).toBe("output");
      const meta = await sharp(img.bytes).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["png", 96, 64]);
      expect(JSON.parse(readPngText(img.bytes).prompt)["6"].inputs.text).toBe("a red fox");
    }
    expect(res.wsReconnects).toBe(0);
    expect(fake.engine.accepted.at(-1)!.clientId).toBe((submitted[0] as { clientId: string }).clientId);
  });

  it("does not sleep a poll interval when the prompt finished while the ids were being saved", async () => {
    fake.faults.set({ mode: "none", imageMs: 0 });
    // The done event arrives during onSubmitted, before the wait begins: a lost wake-up would
    // sleep the whole (huge) poll interval and end in COMFY_TIMEOUT instead of the images.
    const slowSave = () => new Promise<void>((r) => setTimeout(r, 500));
    const res = await runPrompt(http, opts({ pollIntervalMs: 60_000, timeoutMs: 8_000, onSubmitted: slowSave }));
    expect(res.images).toHaveLength(2);
    expect(res.timings.executionEndedAt).toBeLessThanOrEqual(res.timings.fetchedAt!);
  });

  it("finishes through /history polling when the WebSocket drops and cannot reconnect", async () => {
    fake.faults.set({ mode: "none", wsDrop: true, imageMs: 200 });
    const droppedBefore = fake.hub.dropped;
    const res = await runPrompt(http, opts());
    expect(fake.hub.dropped).toBe(droppedBefore + 1);
    expect(res.wsReconnects).toBeGreaterThanOrEqual(1);
    expect(res.images).toHaveLength(2);
  });

  it("maps an execution error to a permanent COMFY_EXECUTION_ERROR", async () => {
    fake.faults.set({ mode: "execution_error", count: 1, imageMs: 40 });
    const err = await expectRunnerError(runPrompt(http, opts()), "COMFY_EXECUTION_ERROR", false);
    expect(err.message).toMatch(/KSampler #3: .*out of memory/);
    expect(fake.faults.mode).toBe("none");
  });

  it("keeps an execution error permanent while ComfyUI's teardown delays the history write (still in queue_running)", async () => {
    // Real ComfyUI writes history after execute() returns, which can unload models for seconds:
    // longer than the fast polls after the error event. The prompt is still running, not lost.
    fake.faults.set({ mode: "execution_error", count: 1, imageMs: 40, teardownMs: 4500 });
    const err = await expectRunnerError(runPrompt(http, opts({ pollIntervalMs: 200 })), "COMFY_EXECUTION_ERROR", false);
    expect(err.message).toMatch(/KSampler #3/);
  });

  it("takes progress only from the node the template maps as the sampler (steps), not from other nodes", async () => {
    const seen: number[] = [];
    await runPrompt(http, opts({ progressNode: "8", onProgress: (f) => seen.push(f) }));
    expect(seen).toEqual([]);
    await runPrompt(http, opts({ progressNode: "3", onProgress: (f) => seen.push(f) }));
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((s) => s / 8));
  });

  it("does not count time queued behind another prompt against the execution budget", async () => {
    fake.faults.set({ mode: "none", imageMs: 500 });
    const first = runPrompt(http, opts({ workflow: workflow({ batchSize: 4 }) })); // about 2 s on the fake GPU
    // The second is queued only once the first runs (not after a guessed delay).
    await until("the first prompt to run", async () => (fake.engine.running ? true : undefined), 10_000, 10);
    const second = await runPrompt(http, opts({ workflow: workflow({ batchSize: 1 }), timeoutMs: 1500 }));
    expect(second.images).toHaveLength(1);
    expect((await first).images).toHaveLength(4);
  });

  it("after a timeout, confirms the prompt left queue_running; a hard hang that ignores the interrupt marks ComfyUI stuck", async () => {
    fake.faults.set({ mode: "hard_hang", count: 1 });
    const promptId = randomUUID();
    const stuckHttp = new ComfyHttp(fake.url);
    await expectRunnerError(runPrompt(stuckHttp, opts({ promptId, timeoutMs: 600, abandonConfirmMs: 500 })), "COMFY_TIMEOUT", true);
    expect(fake.engine.interrupts).toContain(promptId);
    expect(stuckHttp.health.stuck).toMatch(new RegExp(`prompt ${promptId} still running`));
    fake.engine.restart(); // only a restart frees a hard hang, as on a real host

    // A prompt that honours the interrupt leaves queue_running: nothing is marked.
    fake.faults.set({ mode: "hang", count: 1 });
    const okHttp = new ComfyHttp(fake.url);
    await expectRunnerError(runPrompt(okHttp, opts({ timeoutMs: 600, abandonConfirmMs: 2000 })), "COMFY_TIMEOUT", true);
    expect(okHttp.health.stuck).toBeNull();
  });

  it("cancels through the jobs API where the build has it, and through /interrupt where it does not", async () => {
    fake.faults.set({ mode: "hang", count: 1, jobsApi: true });
    const targeted = randomUUID();
    await expectRunnerError(runPrompt(http, opts({ promptId: targeted, timeoutMs: 600 })), "COMFY_TIMEOUT", true);
    expect(fake.engine.cancels).toContain(targeted);
    fake.faults.set({ mode: "hang", count: 1, jobsApi: false });
    const global = randomUUID();
    await expectRunnerError(runPrompt(http, opts({ promptId: global, timeoutMs: 600 })), "COMFY_TIMEOUT", true);
    expect(fake.engine.cancels).not.toContain(global);
    expect(fake.engine.interrupts).toContain(global);
  });

  it("interrupts a hung prompt on timeout and reports a retryable COMFY_TIMEOUT", async () => {
    fake.faults.set({ mode: "hang", count: 1 });
    const promptId = randomUUID();
    await expectRunnerError(runPrompt(http, opts({ promptId, timeoutMs: 600 })), "COMFY_TIMEOUT", true);
    expect(fake.engine.interrupts).toContain(promptId);
    // The interrupted prompt is in history as an error, and the GPU is free for the next one.
    expect((await http.history(promptId))!.status!.status_str).toBe("error");
    expect((await runPrompt(http, opts())).images).toHaveLength(2);
  });

  it("reports a retryable COMFY_LOST_PROMPT when ComfyUI restarts mid-run and forgets the prompt", async () => {
    fake.faults.set({ mode: "hang", count: 1 });
    const promptId = randomUUID();
    const run = runPrompt(http, opts({ promptId }));
    while (fake.engine.running?.promptId !== promptId) await new Promise((r) => setTimeout(r, 10));
    expect((await fetch(`${fake.url}/fake/restart`, { method: "POST" })).status).toBe(200);
    await expectRunnerError(run, "COMFY_LOST_PROMPT", true);
    expect(await http.history(promptId)).toBeNull();
    expect(fake.engine.interrupts).not.toContain(promptId);
  });

  it("treats a refused connection as a retryable COMFY_UNAVAILABLE", async () => {
    fake.faults.set({ mode: "refuse" });
    await expectRunnerError(runPrompt(http, opts()), "COMFY_UNAVAILABLE", true);
    await expect(http.systemStats()).rejects.toMatchObject({ code: "COMFY_UNAVAILABLE" });
  });

  it("maps a rejected workflow to a permanent COMFY_INVALID_WORKFLOW naming the node", async () => {
    const wf = workflow();
    wf["4"].inputs.ckpt_name = "missing.safetensors";
    const err = await expectRunnerError(runPrompt(http, opts({ workflow: wf })), "COMFY_INVALID_WORKFLOW", false);
    expect(err.message).toMatch(/node 4 \(CheckpointLoaderSimple\): Value not in list/);
  });

  it("uploads input images with ComfyUI's rename rule and runs image-to-image", async () => {
    const a = await sharp({ create: { width: 40, height: 30, channels: 3, background: "blue" } }).png().toBuffer();
    const b = await sharp({ create: { width: 40, height: 30, channels: 3, background: "green" } }).png().toBuffer();
    const form = async (bytes: Buffer, overwrite: boolean) => {
      const f = new FormData();
      f.set("image", new Blob([new Uint8Array(bytes)]), "room.png");
      if (overwrite) f.set("overwrite", "true");
      return (await fetch(`${fake.url}/upload/image`, { method: "POST", body: f })).json();
    };
    expect(await form(a, false)).toEqual({ name: "room.png", subfolder: "", type: "input" });
    expect(await form(a, false)).toEqual({ name: "room.png", subfolder: "", type: "input" });
    expect(await form(b, false)).toEqual({ name: "room (1).png", subfolder: "", type: "input" });
    expect((await http.uploadImage(b, "room.png")).name).toBe("room.png");
    const wf = renderWorkflow(templates.get("img2img-staging")!, {
      positivePrompt: "a sofa", negativePrompt: "", seed: 1, steps: 4, cfg: 7, width: 48, height: 40, batchSize: 1, denoise: 0.5, inputImage: "room.png", filenamePrefix: `s/${randomUUID()}`,
    });
    const res = await runPrompt(http, opts({ workflow: wf }));
    expect(await sharp(res.images[0].bytes).metadata()).toMatchObject({ width: 48, height: 40 });
  });
});
