// Upscale, refine and masks end to end through the runner: Firestore emulator, the fake ComfyUI
// drawing real pixels, the runner's post-processing and storage. Outputs are PNG here so "kept"
// can be checked byte for byte (PNG is lossless: the encoding's tolerance is zero).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { db } from "../../test-support/emulator";
import { startRunner, type Runner } from "../src/app";
import { loadConfig } from "../src/config";
import { startFakeComfy, type FakeComfy } from "../../fake-comfyui/src/server";
import { LocalStorage } from "../src/storage";
import { runnerEnv, data, pushTask, queuedRequest, ref } from "./harness";
import { captureLogger } from "./helpers";

const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-stages-"));
const storage = new LocalStorage(storageDir);
jest.setTimeout(60_000);

let fake: FakeComfy;
let runner: Runner;
const logs = captureLogger();

beforeAll(async () => {
  fake = await startFakeComfy({ port: 0, imageMs: 20 });
  runner = await startRunner({ config: loadConfig(runnerEnv(fake, storageDir, { OUTPUT_FORMAT: "png", JOB_TIMEOUT_SECONDS: "30" })), db: db(), log: logs.log });
});
afterAll(async () => {
  await runner.shutdown();
  await fake.close();
  fs.rmSync(storageDir, { recursive: true, force: true });
});

const UPSCALE_2 = { factor: 2, model: "RealESRGAN_x2plus.pth" };
type Sent = Record<string, { class_type: string; inputs: Record<string, unknown> }>;
const sentFor = (id: string) => fake.engine.accepted.find((p) => JSON.stringify(p.prompt).includes(`imagegen/${id}/`))!.prompt as unknown as Sent;
const passesOf = (id: string) => {
  const promptIds = new Set(fake.engine.accepted.filter((p) => JSON.stringify(p.prompt).includes(`imagegen/${id}/`)).map((p) => p.promptId));
  return fake.engine.samplerPasses.filter((p) => promptIds.has(p.promptId));
};
async function stored(id: string, i: number): Promise<{ data: Buffer; width: number; height: number }> {
  const bytes = await storage.get((await data(id)).outputs[i].path);
  const { data: px, info } = await sharp(bytes!).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: px, width: info.width, height: info.height };
}

/** Seeded noise, so that a kept pixel cannot match by accident. */
function noise(width: number, height: number, seed: number): Buffer {
  const px = Buffer.alloc(width * height * 3);
  let s = seed;
  for (let i = 0; i < px.length; i++) px[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return px;
}

describe("upscale and refine", () => {
  it("upscale 2: every output is exactly twice the size, through UpscaleModelLoader + ImageUpscaleWithModel", async () => {
    const { id } = await queuedRequest({ width: 128, height: 96, batchSize: 2, upscale: UPSCALE_2 });
    expect((await pushTask(runner.url, id)).body.result).toBe("succeeded");
    const doc = await data(id);
    expect(doc.outputs.map((o: { width: number; height: number }) => [o.width, o.height])).toEqual([[256, 192], [256, 192]]);
    expect((await stored(id, 1)).width).toBe(256);
    const sent = sentFor(id);
    expect(sent.imagegen_upscale_loader).toMatchObject({ class_type: "UpscaleModelLoader", inputs: { model_name: "RealESRGAN_x2plus.pth" } });
    expect(sent["9"].inputs.images).toEqual(["imagegen_upscale", 0]);
    // One sampling pass only, at the base size: no refine was asked for.
    expect(passesOf(id).map((p) => [p.width, p.height, p.denoise])).toEqual([[128, 96, 1]]);
  });

  it("upscale 4 with refine: a second KSampler pass from the upscaled pixels at denoise ≤ 0.5, outputs 4× the size", async () => {
    const { id } = await queuedRequest({ width: 64, height: 48, batchSize: 1, upscale: { factor: 4, model: "RealESRGAN_x4plus.pth", refine: { denoise: 0.35, steps: 10 } } });
    expect((await pushTask(runner.url, id)).body.result).toBe("succeeded");
    expect((await data(id)).outputs[0]).toMatchObject({ width: 256, height: 192 });
    const passes = passesOf(id);
    expect(passes).toHaveLength(2);
    expect(passes[0]).toMatchObject({ width: 64, height: 48, denoise: 1, fromPixels: false });
    expect(passes[1]).toMatchObject({ width: 256, height: 192, denoise: 0.35, steps: 10, fromPixels: true });
  });

  it("an upscale model whose scale is not the factor paid for fails the job (refunded), never delivers the wrong size", async () => {
    const { id } = await queuedRequest({ width: 64, height: 48, batchSize: 1, upscale: { factor: 2, model: "RealESRGAN_x4plus.pth" } });
    expect((await pushTask(runner.url, id)).status).toBe(200);
    const doc = await data(id);
    expect(doc.status).toBe("failed");
    expect(doc.error.code).toBe("COMFY_WRONG_SIZE");
  });
});

describe("masks", () => {
  it("repaints the white half and keeps every pixel of the black half exactly", async () => {
    const [w, h] = [96, 64];
    const { id, uid } = await queuedRequest({ workflow: "img2img-staging", denoise: 0.6, batchSize: 2, width: w, height: h, inputImagePath: "" });
    const input = noise(w, h, 7);
    const maskPx = Buffer.alloc(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) maskPx[y * w + x] = x < w / 2 ? 255 : 0;
    const inputPath = `inputs/${uid}/${id}/input.png`;
    const maskPath = `inputs/${uid}/${id}/mask.png`;
    await storage.put(inputPath, await sharp(input, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer(), "image/png");
    await storage.put(maskPath, await sharp(maskPx, { raw: { width: w, height: h, channels: 1 } }).png().toBuffer(), "image/png");
    await ref(id).update({ "render.inputImagePath": inputPath, "render.maskImagePath": maskPath });

    expect((await pushTask(runner.url, id)).body.result).toBe("succeeded");
    for (const i of [0, 1]) {
      const out = await stored(id, i);
      expect([out.width, out.height]).toEqual([w, h]);
      let keptDiffering = 0;
      let repaintedDiff = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          for (let c = 0; c < 3; c++) {
            const o = (y * w + x) * 3 + c;
            if (x >= w / 2) keptDiffering += out.data[o] !== input[o] ? 1 : 0;
            else repaintedDiff += Math.abs(out.data[o] - input[o]);
          }
        }
      }
      expect(keptDiffering).toBe(0);
      // The white half really was repainted: on average far from the input.
      expect(repaintedDiff / ((w / 2) * h * 3)).toBeGreaterThan(10);
    }
    expect(passesOf(id)).toEqual([expect.objectContaining({ masked: true, fromPixels: true, denoise: 0.6 })]);
    const sent = sentFor(id);
    expect(sent.imagegen_mask_load.inputs.image).toBe(`imagegen/${id}.mask.png`);
    expect(sent["3"].inputs.latent_image).toEqual(["imagegen_mask_latent", 0]);
  });
});

describe("live previews", () => {
  it("asks ComfyUI for previews and stores the latest as a small WebP on the running request", async () => {
    const { id } = await queuedRequest({ width: 512, height: 384, batchSize: 1, steps: 10 });
    // Held before its last step: the earlier steps' previews have been sent by then.
    fake.engine.hold();
    const pushed = pushTask(runner.url, id);
    const preview = await new Promise<{ path: string }>((resolve) => {
      const stop = ref(id).onSnapshot((s) => { const p = s.get("preview"); if (p?.path) (stop(), resolve(p)); });
    });
    expect((await data(id)).status).toBe("running");
    const meta = await sharp((await storage.get(preview.path))!).metadata();
    // ComfyUI's preview is the latent decoded: 1/8 of the picture, 64×48 here.
    expect(meta).toMatchObject({ format: "webp", width: 64, height: 48 });
    expect(preview.path).toMatch(new RegExp(`/${id}/preview\\.webp$`));
    fake.engine.release();
    expect((await pushed).body.result).toBe("succeeded");
    const sent = fake.engine.accepted.find((p) => JSON.stringify(p.prompt).includes(`imagegen/${id}/`))!;
    expect(sent.extraData).toMatchObject({ preview_method: "auto" });
  });
});

