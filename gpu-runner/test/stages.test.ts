// The stages the runner adds (upscale, refine, mask) are graph edits a real ComfyUI must accept:
// every rendered variant passes the fake's validate_inputs against the pinned tag's fixture.
import path from "node:path";
import { renderWorkflow } from "../src/comfy/render-workflow";
import { requiredNodeTypes } from "../src/comfy/node-check";
import { insertUpscale, StageError } from "../src/comfy/stages";
import { loadTemplates } from "../src/comfy/templates";
import { nodeDefs } from "../../fake-comfyui/src/nodes";
import { validatePrompt } from "../../fake-comfyui/src/validate";

const templates = loadTemplates(path.join(__dirname, "..", "workflows"));
const params = { positivePrompt: "a room", negativePrompt: "blurry", seed: 7, steps: 20, cfg: 7, width: 512, height: 512, batchSize: 2, filenamePrefix: "imagegen/r1/a1" };
const defs = nodeDefs({ inputFiles: () => ["imagegen/r1.png", "imagegen/r1.mask.png"], inputFolders: () => [], loras: () => ["custom/x.safetensors"] });
const valid = (wf: unknown) => validatePrompt(wf, defs);
const refine = { denoise: 0.35, steps: 10 };

describe("runner stages", () => {
  it.each(["txt2img", "txt2img-sdxl"])("%s with upscale, with and without refine, validates", (name) => {
    const t = templates.get(name)!;
    const plain = renderWorkflow(t, { ...params, upscale: { factor: 2, model: "RealESRGAN_x2plus.pth" } });
    expect(valid(plain).ok).toBe(true);
    expect(plain["9"].inputs.images).toEqual(["imagegen_upscale", 0]);
    const refined = renderWorkflow(t, { ...params, upscale: { factor: 4, model: "RealESRGAN_x4plus.pth", refine } });
    expect(valid(refined).ok).toBe(true);
    // The second pass keeps the template's sampler settings and conditioning, at low denoise.
    expect(refined.imagegen_refine.inputs).toMatchObject({ seed: 7, cfg: 7, steps: 10, denoise: 0.35, positive: ["6", 0], latent_image: ["imagegen_refine_encode", 0] });
    expect(refined.imagegen_refine_encode.inputs.pixels).toEqual(["imagegen_upscale", 0]);
    expect(refined["9"].inputs.images).toEqual(["imagegen_refine_decode", 0]);
  });

  it("a refine pass samples through the LoRA like the first pass", () => {
    const wf = renderWorkflow(templates.get("txt2img")!, { ...params, lora: { name: "custom/x.safetensors", strength: 0.8 }, upscale: { factor: 2, model: "RealESRGAN_x2plus.pth", refine } });
    expect(wf.imagegen_refine.inputs.model).toEqual(["imagegen_lora", 0]);
    expect(valid(wf).ok).toBe(true);
  });

  it("image-to-image with a mask (and with a mask and upscale) validates, compositing over the fitted input", () => {
    const t = templates.get("img2img-staging")!;
    const wf = renderWorkflow(t, { ...params, denoise: 0.6, inputImage: "imagegen/r1.png", maskImage: "imagegen/r1.mask.png" });
    expect(valid(wf).ok).toBe(true);
    expect(wf["3"].inputs.latent_image).toEqual(["imagegen_mask_latent", 0]);
    expect(wf.imagegen_mask_latent.inputs.samples).toEqual(["13", 0]);
    expect(wf.imagegen_mask_fit.inputs).toMatchObject({ width: 512, height: 512, crop: "center", image: ["imagegen_mask_load", 0] });
    expect(wf.imagegen_mask_keep.inputs).toEqual({ image: ["11", 0], amount: 2 });
    expect(wf["9"].inputs.images).toEqual(["imagegen_mask_composite", 0]);
    const both = renderWorkflow(t, { ...params, denoise: 0.6, inputImage: "imagegen/r1.png", maskImage: "imagegen/r1.mask.png", upscale: { factor: 2, model: "RealESRGAN_x2plus.pth" } });
    expect(valid(both).ok).toBe(true);
    expect(both.imagegen_upscale.inputs.image).toEqual(["imagegen_mask_composite", 0]);
  });

  it("refuses a mask on a template without the mask links, and an unknown upscale model is ComfyUI's value_not_in_list", () => {
    expect(() => renderWorkflow(templates.get("txt2img")!, { ...params, maskImage: "m.png" })).toThrow(StageError);
    const wf = renderWorkflow(templates.get("txt2img")!, { ...params, upscale: { factor: 2, model: "nope.pth" } });
    const v = valid(wf);
    expect(v.ok).toBe(false);
    expect(JSON.stringify(v)).toContain("value_not_in_list");
  });

  it("refine needs a KSampler and a VAEDecode feeding the save node", () => {
    const t = templates.get("txt2img")!;
    const broken = { ...t, mapping: { ...t.mapping, steps: undefined } };
    expect(() => insertUpscale(structuredClone(t.workflow), broken, { factor: 2, model: "RealESRGAN_x2plus.pth", refine })).toThrow(/cannot refine/);
  });

  it("the node check requires the stage nodes of the templates that can take them", () => {
    const needed = requiredNodeTypes(templates);
    expect(needed.get("UpscaleModelLoader")).toEqual(["img2img-staging", "txt2img", "txt2img-sdxl"]);
    expect(needed.get("ImageCompositeMasked")).toEqual(["img2img-staging"]);
    expect(needed.get("SetLatentNoiseMask")).toEqual(["img2img-staging"]);
  });
});
