import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { predictedLora, removeTrainingFiles, trainingNames } from "../src/comfy/job-files";
import { insertLora, LORA_NODE_ID, loraLoaderFor, renderWorkflow } from "../src/comfy/render-workflow";
import { buildTemplate, loadTemplates, TemplateError } from "../src/comfy/templates";
import { loadConfig } from "../src/config";
import { decideClaim } from "../src/jobs/claim-decision";
import { TRAIN } from "../src/jobs/job-kind";
import { chooseEvictions } from "../src/jobs/lora-cache";
import { MAX_TRAINING_SIDE, photoNames, prepareTrainingPhoto } from "../src/jobs/training-photos";
import { parseTrainingInput } from "../src/jobs/training-input";

const templates = loadTemplates(path.join(__dirname, "..", "workflows"));
const gen = { positivePrompt: "ohwx person", negativePrompt: "", seed: 1, steps: 4, cfg: 7, width: 64, height: 64, batchSize: 1, filenamePrefix: "imagegen/r/a1" };
const ts = (ms: number) => ({ toMillis: () => ms });

describe("LoRA injection through the template's parameter map", () => {
  it("puts a LoraLoader between the checkpoint and every consumer of its MODEL and CLIP", () => {
    const t = templates.get("txt2img")!;
    const wf = renderWorkflow(t, { ...gen, lora: { name: "imagegen/abc.safetensors", strength: 0.9 } });
    expect(wf[LORA_NODE_ID]).toMatchObject({ class_type: "LoraLoader", inputs: { model: ["4", 0], clip: ["4", 1], lora_name: "imagegen/abc.safetensors", strength_model: 0.9, strength_clip: 0.9 } });
    expect(wf["3"].inputs.model).toEqual([LORA_NODE_ID, 0]);
    // both prompt encoders take the LoRA's CLIP, the VAE still comes from the checkpoint
    expect([wf["6"].inputs.clip, wf["7"].inputs.clip]).toEqual([[LORA_NODE_ID, 1], [LORA_NODE_ID, 1]]);
    expect(wf["8"].inputs.vae).toEqual(["4", 2]);
    expect(t.workflow[LORA_NODE_ID]).toBeUndefined();
  });

  it("uses LoraLoaderModelOnly when the map names no CLIP input (FLUX-style templates)", () => {
    const t = templates.get("txt2img")!;
    const modelOnly = { ...t, mapping: { ...t.mapping, loraClip: undefined } };
    expect(loraLoaderFor(modelOnly)).toBe("LoraLoaderModelOnly");
    const wf = insertLora(structuredClone(t.workflow), modelOnly, { name: "x.safetensors", strength: 1.5 });
    expect(wf[LORA_NODE_ID]).toEqual({ class_type: "LoraLoaderModelOnly", inputs: { model: ["4", 0], lora_name: "x.safetensors", strength_model: 1.5 }, _meta: { title: "LoRA (imagegen)" } });
    expect(wf["6"].inputs.clip).toEqual(["4", 1]);
  });

  it("leaves the graph alone without a LoRA, and refuses a LoRA for a template that cannot take one", () => {
    const t = templates.get("txt2img")!;
    expect(renderWorkflow(t, gen)[LORA_NODE_ID]).toBeUndefined();
    const bare = { ...t, mapping: { ...t.mapping, loraModel: undefined, loraClip: undefined } };
    expect(() => renderWorkflow(bare, { ...gen, lora: { name: "x", strength: 1 } })).toThrow(/cannot take a LoRA/);
  });

  it("requires LoRA map entries to be links and value parameters to be values", () => {
    const wf = templates.get("txt2img")!.workflow;
    const map = { positivePrompt: "6.inputs.text", seed: "3.inputs.seed", filenamePrefix: "9.inputs.filename_prefix" };
    expect(() => buildTemplate("t", wf, { ...map, loraModel: "3.inputs.seed" })).toThrow(/a value, not a link/);
    expect(() => buildTemplate("t", wf, { ...map, seed: "3.inputs.model" })).toThrow(/a link, not a value/);
    expect(() => buildTemplate("t", wf, { ...map, loraClip: "6.inputs.clip" })).toThrow(TemplateError);
  });
});

describe("training template", () => {
  it("fills the dataset folder, SaveLoRA prefix, steps and seed", () => {
    const names = trainingNames("cm1", "p-1");
    const wf = renderWorkflow(templates.get("train-lora")!, { trainingFolder: names.folder, loraPrefix: names.loraPrefix, steps: 30, seed: 7 });
    expect(wf["4"].inputs.folder).toBe("imagegen-train/cm1/p-1");
    expect(wf["7"].inputs).toMatchObject({ prefix: "loras/imagegen-train/cm1/p-1", steps: ["6", 2] });
    expect(wf["6"].inputs).toMatchObject({ steps: 30, seed: 7 });
  });

  it("a training map must name the folder, prefix, steps and seed", () => {
    const wf = templates.get("train-lora")!.workflow;
    expect(() => buildTemplate("t", wf, { trainingFolder: "4.inputs.folder", steps: "6.inputs.steps", seed: "6.inputs.seed" })).toThrow(/loraPrefix/);
  });

  it("predicts SaveLoRA's file name and refuses ids that would leave the folders", () => {
    expect(predictedLora("loras/imagegen-train/cm1/p-1", 200)).toEqual({ subfolder: "loras/imagegen-train/cm1", filename: "p-1_200_steps_00001_.safetensors", type: "output" });
    expect(() => trainingNames("..", "p")).toThrow();
    expect(() => trainingNames("a/b", "p")).toThrow();
  });

  it("removes every attempt's dataset folder and saved LoRA, and nothing else", async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "train-files-"));
    const folders = { input: path.join(base, "input"), output: path.join(base, "output") };
    for (const f of ["input/imagegen-train/cm1/p1/01.png", "input/imagegen-train/cm1/p2/01.txt", "output/loras/imagegen-train/cm1/p1_2_steps_00001_.safetensors", "input/imagegen-train/cm2/p/01.png"])
      fs.mkdirSync(path.dirname(path.join(base, f)), { recursive: true }), fs.writeFileSync(path.join(base, f), "x");
    expect(await removeTrainingFiles(folders, "cm1")).toBe(3);
    expect(fs.existsSync(path.join(base, "input/imagegen-train/cm2/p/01.png"))).toBe(true);
    expect(fs.existsSync(path.join(base, "input/imagegen-train/cm1"))).toBe(false);
  });
});

describe("training claim rules (same lease rules, customModels statuses)", () => {
  it("claims queued, is busy under a live lease, reclaims an expired one, never touches a terminal model", () => {
    expect(decideClaim({ status: "queued" }, 1000, "me", TRAIN)).toBe("claim");
    expect(decideClaim({ status: "training", lease: { owner: "other", expiresAt: ts(2000) } }, 1000, "me", TRAIN)).toBe("busy");
    expect(decideClaim({ status: "training", lease: { owner: "other", expiresAt: ts(500) } }, 1000, "me", TRAIN)).toBe("claim");
    for (const status of ["ready", "failed", "cancelled", "deleted"]) expect(decideClaim({ status }, 1000, "me", TRAIN)).toBe("terminal");
    expect(decideClaim({ status: "running" }, 1000, "me", TRAIN)).toBe("invalid");
  });
});

describe("training photos", () => {
  it("applies EXIF orientation and bounds the longer side to 1024, never enlarging", async () => {
    // 1600x800 stored with orientation 6 (rotate 90°): seen upright it is 800x1600.
    const jpeg = await sharp({ create: { width: 1600, height: 800, channels: 3, background: "#884422" } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const big = await prepareTrainingPhoto(jpeg);
    expect([big.width, big.height]).toEqual([512, MAX_TRAINING_SIDE]);
    expect((await sharp(big.png).metadata()).format).toBe("png");
    const small = await prepareTrainingPhoto(await sharp({ create: { width: 300, height: 200, channels: 3, background: "#000" } }).webp().toBuffer());
    expect([small.width, small.height]).toEqual([300, 200]);
    await expect(prepareTrainingPhoto(Buffer.from("not an image"))).rejects.toThrow();
    expect(photoNames(0)).toEqual({ image: "01.png", caption: "01.txt" });
  });

  it("reads only a well-formed train block", () => {
    const photos = [{ path: "training/u/cm/01.jpg", sha256: "a".repeat(64) }];
    expect(parseTrainingInput({ userId: "u", train: { workflow: "train-lora", steps: 10, seed: 1, caption: "ohwx person", photos } }).train.steps).toBe(10);
    expect(() => parseTrainingInput({ userId: "u", train: { workflow: "train-lora", steps: 10, seed: 1, caption: "", photos } })).toThrow(/not trainable/);
  });
});

describe("LoRA cache bound", () => {
  it("evicts least recently used files until the rest fit, never the file just added", () => {
    const files = [{ name: "a", bytes: 40, usedAt: 1 }, { name: "b", bytes: 40, usedAt: 2 }, { name: "c", bytes: 40, usedAt: 3 }, { name: "new", bytes: 40, usedAt: 0 }];
    expect(chooseEvictions(files, 100, "new")).toEqual(["a", "b"]);
    expect(chooseEvictions(files, 1000, "new")).toEqual([]);
    expect(chooseEvictions([{ name: "new", bytes: 500, usedAt: 0 }], 100, "new")).toEqual([]);
  });

  it("drops evicted models' files and files unused since the age bound first, then by bytes", () => {
    const h = (c: string) => c.repeat(64);
    const files = [{ name: `${h("a")}.safetensors`, bytes: 10, usedAt: 50 }, { name: `${h("b")}.safetensors`, bytes: 10, usedAt: 5 }, { name: `${h("c")}.safetensors`, bytes: 10, usedAt: 60 }];
    expect(chooseEvictions(files, 1000, null, { evicted: new Set([h("a")]), usedBefore: 10 })).toEqual([`${h("a")}.safetensors`, `${h("b")}.safetensors`]);
    expect(chooseEvictions(files, 1000, `${h("a")}.safetensors`, { evicted: new Set([h("a")]) })).toEqual([]);
  });
});

describe("RUNNER_JOB_KINDS", () => {
  it("defaults to both kinds and refuses unknown ones", () => {
    expect(loadConfig({}).RUNNER_JOB_KINDS).toEqual(["generate", "train"]);
    expect(loadConfig({ RUNNER_JOB_KINDS: "train" }).RUNNER_JOB_KINDS).toEqual(["train"]);
    expect(() => loadConfig({ RUNNER_JOB_KINDS: "generate,paint" })).toThrow(/RUNNER_JOB_KINDS/);
  });
});
