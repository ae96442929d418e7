import fs from "node:fs";
import path from "node:path";
import { checkObjectInfo, describeNodeCheck, kindsReady, requiredNodeTypes } from "../src/comfy/node-check";
import { buildTemplate, loadTemplates, type Template } from "../src/comfy/templates";
import { nodeDefs, objectInfoFixture } from "../../fake-comfyui/src/nodes";

const templates = loadTemplates(path.join(__dirname, "..", "workflows"));
const full = () => nodeDefs({ inputFiles: () => ["imagegen/x.png"], inputFolders: () => [], loras: () => [] }) as unknown as Record<string, any>;

describe("ComfyUI node check against the workflow templates", () => {
  it("lists the node classes the templates use, with their users", () => {
    const needed = requiredNodeTypes(templates);
    expect([...needed.keys()]).toEqual([
      "CLIPTextEncode", "CheckpointLoaderSimple", "EmptyLatentImage", "ImageScale", "KSampler", "LoadImage", "RepeatLatentBatch", "SaveImage", "VAEDecode", "VAEEncode",
      // training, and the LoRA loader the runner inserts into every generation template
      "LoadImageTextDataSetFromFolder", "LoraLoader", "MakeTrainingDataset", "SaveLoRA", "TrainLoraNode",
      // the upscale stage (every generation template) and the mask stage (image-to-image) the runner inserts
      "UpscaleModelLoader", "ImageUpscaleWithModel", "ImageToMask", "SetLatentNoiseMask", "RepeatImageBatch", "ImageCompositeMasked",
    ].sort());
    expect(needed.get("LoadImage")).toEqual(["img2img-staging"]);
    expect(needed.get("TrainLoraNode")).toEqual(["train-lora"]);
    expect(needed.get("LoraLoader")).toEqual(["img2img-staging", "txt2img", "txt2img-sdxl"]);
  });

  it("passes a ComfyUI that has every node and the templates' checkpoints", () => {
    const check = checkObjectInfo(full(), templates);
    expect(describeNodeCheck(check)).toEqual([]);
    expect(check).toMatchObject({ ok: true, nodeTypes: 21, missingNodes: [], missingValues: [], missingInputs: [], badLinks: [] });
    expect(Object.keys(check.templates).sort()).toEqual([...templates.keys()].sort());
  });

  it("pins the Docker image to the tag the object_info fixture was transcribed from", () => {
    const dockerfile = fs.readFileSync(path.join(__dirname, "..", "Dockerfile"), "utf8");
    expect(dockerfile.match(/^ARG COMFYUI_REF=(\S+)$/m)?.[1]).toBe(objectInfoFixture().comfyui_ref);
  });

  // An edited copy of one template, the others as committed.
  const edited = (name: string, edit: (wf: Record<string, any>) => void): Map<string, Template> => {
    const dir = path.join(__dirname, "..", "workflows");
    const wf = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), "utf8"));
    edit(wf);
    return new Map([...templates, [name, buildTemplate(name, wf, JSON.parse(fs.readFileSync(path.join(dir, `${name}.map.json`), "utf8")))]]);
  };

  it("refuses a template without a required input, and only that template's job kind goes unready", () => {
    const check = checkObjectInfo(full(), edited("train-lora", (wf) => delete wf["6"].inputs.quantized_backward));
    expect(describeNodeCheck(check)).toEqual(["TrainLoraNode.quantized_backward is required by this ComfyUI but missing (template train-lora, node 6)"]);
    expect(check.ok).toBe(false);
    expect(check.templates["train-lora"]).toMatchObject({ ok: false, training: true });
    expect(check.templates.txt2img.ok).toBe(true);
    expect(kindsReady(check)).toEqual({ generate: true, train: false });
  });

  it("refuses a link whose source output type does not fit the input, optional inputs included", () => {
    // v0.3.64's TrainLoraNode put MODEL first: ["6",0] would then feed a MODEL into SaveLoRA.lora.
    const info = full();
    info.TrainLoraNode.output = ["MODEL", "LORA_MODEL", "LOSS_MAP", "INT"];
    const check = checkObjectInfo(info, templates);
    expect(describeNodeCheck(check)).toEqual([
      "SaveLoRA.lora takes LORA_MODEL but is linked to a MODEL output (template train-lora, node 7)",
      "SaveLoRA.steps takes INT but is linked to a LOSS_MAP output (template train-lora, node 7)",
    ]);
    expect(kindsReady(check)).toEqual({ generate: true, train: false });
    const generation = checkObjectInfo(full(), edited("txt2img", (wf) => (wf["3"].inputs.positive = ["4", 1])));
    expect(describeNodeCheck(generation)).toEqual(["KSampler.positive takes CONDITIONING but is linked to a CLIP output (template txt2img, node 3)"]);
    expect(kindsReady(generation)).toEqual({ generate: false, train: true });
  });

  it("names a missing node class and the templates that need it", () => {
    const info = full();
    delete info.VAEEncode;
    const check = checkObjectInfo(info, templates);
    expect(check.ok).toBe(false);
    expect(describeNodeCheck(check)).toEqual(["node type VAEEncode is not installed (used by img2img-staging, txt2img, txt2img-sdxl)"]);
  });

  it("names the training and LoRA nodes a ComfyUI without native training lacks", () => {
    const info = full();
    for (const n of ["TrainLoraNode", "SaveLoRA", "LoraLoader"]) delete info[n];
    expect(describeNodeCheck(checkObjectInfo(info, templates))).toEqual([
      "node type LoraLoader is not installed (used by img2img-staging, txt2img, txt2img-sdxl)",
      "node type SaveLoRA is not installed (used by train-lora)",
      "node type TrainLoraNode is not installed (used by train-lora)",
    ]);
  });

  it("names a checkpoint that is not installed, in either combo shape, and ignores per-job inputs", () => {
    const info = full();
    info.CheckpointLoaderSimple.input.required.ckpt_name = ["COMBO", { options: ["v1-5-pruned-emaonly.safetensors"] }];
    info.LoadImage.input.required.image = [[]];
    const lines = describeNodeCheck(checkObjectInfo(info, templates));
    expect(lines).toEqual([
      'CheckpointLoaderSimple.ckpt_name = "sd_xl_base_1.0.safetensors" is not available (template train-lora, node 1)',
      'CheckpointLoaderSimple.ckpt_name = "sd_xl_base_1.0.safetensors" is not available (template txt2img-sdxl, node 4)',
    ]);
  });
});
