// Issue 12 item 12: what the runner uploads to ComfyUI and what ComfyUI saves must not pile up.
// The fake ComfyUI writes real files into real input/output folders that the runner shares (as
// beside a real ComfyUI), so every path a job can take is counted back to zero here.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { db } from "../../test-support/emulator";
import { startRunner, type Runner } from "../src/app";
import { loadConfig } from "../src/config";
import { startFakeComfy, type FakeComfy } from "../../fake-comfyui/src/server";
import { LocalStorage } from "../src/storage";
import { comfyFiles, data, pushTask, queuedRequest, ref, runnerEnv, SHORT_JOB_TIMEOUT } from "./harness";
import { quietLogger } from "./helpers";

jest.setTimeout(30_000);

const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-files-"));
let fake: FakeComfy;
let runner: Runner;
// Same fake and folders; its hung prompts time out after 2 s (healthy jobs go to `runner`).
let hangRunner: Runner;

beforeAll(async () => {
  fake = await startFakeComfy({ port: 0, imageMs: 40 });
  runner = await startRunner({ config: loadConfig(runnerEnv(fake, storageDir)), db: db(), log: quietLogger() });
  hangRunner = await startRunner({ config: loadConfig(runnerEnv(fake, storageDir, SHORT_JOB_TIMEOUT)), db: db(), log: quietLogger() });
});
afterAll(async () => {
  await runner.shutdown();
  await hangRunner.shutdown();
  await fake.close();
});
beforeEach(() => expect(comfyFiles(fake)).toEqual([]));
afterEach(() => fake.faults.set({ mode: "none", imageMs: 40 }));

/** An image-to-image request whose input image is in storage: the runner uploads it to ComfyUI. */
async function img2imgRequest(): Promise<string> {
  const { id, uid } = await queuedRequest({ workflow: "img2img-staging", denoise: 0.6, batchSize: 1, width: 96, height: 64 });
  const inputPath = `inputs/${uid}/${id}/input.png`;
  await new LocalStorage(storageDir).put(inputPath, await sharp({ create: { width: 120, height: 80, channels: 3, background: "grey" } }).png().toBuffer(), "image/png");
  await ref(id).update({ "render.inputImagePath": inputPath });
  return id;
}

describe("ComfyUI input and output files (real folders of the fake ComfyUI)", () => {
  it("success: the outputs are stored, then ComfyUI's copies are deleted", async () => {
    const { id } = await queuedRequest({ batchSize: 3 });
    expect((await pushTask(runner.url, id)).body).toEqual({ result: "succeeded", outputs: 3 });
    expect(fake.engine.history.size).toBeGreaterThan(0);
    expect(comfyFiles(fake)).toEqual([]);
  });

  it("image-to-image success: the uploaded input is deleted too", async () => {
    const id = await img2imgRequest();
    expect((await pushTask(runner.url, id)).body.result).toBe("succeeded");
    expect(fake.engine.accepted.at(-1)!.prompt["10"].inputs?.image).toBe(`imagegen/${id}.png`);
    expect(comfyFiles(fake)).toEqual([]);
  });

  it("execution error (permanent failure): the input is deleted", async () => {
    fake.faults.set({ mode: "execution_error", count: 1 });
    const id = await img2imgRequest();
    expect((await pushTask(runner.url, id)).body).toEqual({ result: "failed", code: "COMFY_EXECUTION_ERROR" });
    expect(comfyFiles(fake)).toEqual([]);
  });

  it("hang → timeout → retry: files stay while the job may be retried, and go when it ends", async () => {
    fake.faults.set({ mode: "hang", count: 1 });
    const id = await img2imgRequest();
    expect((await pushTask(hangRunner.url, id, { retryCount: 0 })).body).toMatchObject({ result: "retry", code: "COMFY_TIMEOUT" });
    expect(comfyFiles(fake)).toEqual([`input/imagegen/${id}.png`]);
    expect((await pushTask(runner.url, id, { retryCount: 1 })).body.result).toBe("succeeded");
    expect((await data(id)).attempts).toBe(2);
    expect(comfyFiles(fake)).toEqual([]);
  });

  it("an attempt that could not store its outputs leaves them to the next runner, which follows the prompt and deletes them", async () => {
    // A file where the storage folder should be: every write fails, a retryable STORAGE_UNAVAILABLE.
    const brokenStorage = path.join(storageDir, "not-a-folder");
    fs.writeFileSync(brokenStorage, "x");
    const failing = await startRunner({ config: loadConfig(runnerEnv(fake, brokenStorage)), db: db(), log: quietLogger() });
    const { id } = await queuedRequest({ batchSize: 2 });
    expect((await pushTask(failing.url, id, { retryCount: 0 })).body).toMatchObject({ result: "retry", code: "STORAGE_UNAVAILABLE" });
    await failing.shutdown();
    expect(comfyFiles(fake)).toEqual([`output/imagegen/${id}/a1_00001_.png`, `output/imagegen/${id}/a1_00002_.png`]);
    expect((await pushTask(runner.url, id, { retryCount: 1 })).body).toEqual({ result: "succeeded", outputs: 2 });
    expect(fake.engine.accepted.filter((p) => JSON.stringify(p.prompt).includes(`imagegen/${id}/`))).toHaveLength(1);
    expect(comfyFiles(fake)).toEqual([]);
  });

  it("the last attempt's failure deletes the files every attempt left", async () => {
    fake.faults.set({ mode: "hang", count: 2 });
    const id = await img2imgRequest();
    expect((await pushTask(hangRunner.url, id, { retryCount: 0 })).status).toBe(503);
    expect((await pushTask(hangRunner.url, id, { retryCount: 2 })).body).toEqual({ result: "failed", code: "MAX_ATTEMPTS_EXCEEDED" });
    expect(comfyFiles(fake)).toEqual([]);
  });
});
