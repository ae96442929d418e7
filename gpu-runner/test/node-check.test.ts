import path from "node:path";
import { checkObjectInfo, describeNodeCheck, requiredNodeTypes } from "../src/comfy/node-check";
import { loadTemplates } from "../src/comfy/templates";
import { nodeDefs } from "../../fake-comfyui/src/nodes";

const templates = loadTemplates(path.join(__dirname, "..", "workflows"));
const full = () => nodeDefs({ inputFiles: () => ["imagegen/x.png"], inputFolders: () => [], loras: () => [] }) as unknown as Record<string, any>;

describe("ComfyUI node check against the workflow templates", () => {
  it("lists the node classes the templates use, with their users", () => {
    const needed = requiredNodeTypes(templates);
    expect([...needed.keys()]).toEqual([
      "CLIPTextEncode", "CheckpointLoaderSimple", "EmptyLatentImage", "ImageScale", "KSampler", "LoadImage", "RepeatLatentBatch", "SaveImage", "VAEDecode", "VAEEncode",
      // training, and the LoRA loader the runner inserts into every generation template
      "LoadImageTextDataSetFromFolder", "LoraLoader", "MakeTrainingDataset", "SaveLoRA", "TrainLoraNode",
    ].sort());
    expect(needed.get("LoadImage")).toEqual(["img2img-staging"]);
    expect(needed.get("TrainLoraNode")).toEqual(["train-lora"]);
    expect(needed.get("LoraLoader")).toEqual(["img2img-staging", "txt2img", "txt2img-sdxl"]);
  });

  it("passes a ComfyUI that has every node and the templates' checkpoints", () => {
    expect(checkObjectInfo(full(), templates)).toEqual({ ok: true, nodeTypes: 15, missingNodes: [], missingValues: [] });
  });

  it("names a missing node class and the templates that need it", () => {
    const info = full();
    delete info.VAEEncode;
    const check = checkObjectInfo(info, templates);
    expect(check.ok).toBe(false);
    expect(describeNodeCheck(check)).toEqual(["node type VAEEncode is not installed (used by img2img-staging)"]);
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
