// Stages the runner adds to a template per job, as graph edits on data (never text), at the links
// the template's map names. Pure. Each node id is prefixed `imagegen_` so it never collides with
// a template's own. Node definitions: ComfyUI's nodes.py (VAEEncode, KSampler, VAEDecode,
// LoadImage, ImageScale, SetLatentNoiseMask), comfy_extras/nodes_upscale_model.py
// (UpscaleModelLoader, ImageUpscaleWithModel), comfy_extras/nodes_mask.py (ImageToMask,
// ImageCompositeMasked), comfy_extras/nodes_images.py (RepeatImageBatch).
import type { ApiWorkflow, InputRef, Template } from "./templates";

export interface UpscaleStage { factor: 2 | 4; model: string; refine?: { denoise: number; steps: number } }

export class StageError extends Error {}

export const UPSCALE_NODES = ["UpscaleModelLoader", "ImageUpscaleWithModel", "VAEEncode", "KSampler", "VAEDecode"];
export const MASK_NODES = ["LoadImage", "ImageScale", "ImageToMask", "SetLatentNoiseMask", "RepeatImageBatch", "ImageCompositeMasked"];

type Link = [string, number];
const linkAt = (wf: ApiWorkflow, ref: InputRef) => wf[ref.nodeId].inputs[ref.input] as Link;

/** Pure: the node classes the stages a template can take add, for the node check. */
export function stageNodeTypes(t: Pick<Template, "mapping">): string[] {
  const out = new Set<string>();
  if (t.mapping.saveImages) UPSCALE_NODES.forEach((n) => out.add(n));
  if (t.mapping.saveImages && t.mapping.samplerLatent && t.mapping.inputPixels) MASK_NODES.forEach((n) => out.add(n));
  return [...out];
}

/**
 * Pure: UpscaleModelLoader + ImageUpscaleWithModel between the decoded image and the save node;
 * with refine, the upscaled pixels are re-encoded and sampled again at low denoise with the
 * template's sampler settings (a "hires fix"), then decoded with the same VAE.
 */
export function insertUpscale(wf: ApiWorkflow, template: Template, stage: UpscaleStage): ApiWorkflow {
  const save = template.mapping.saveImages;
  if (!save) throw new StageError(`template "${template.name}" cannot upscale (no saveImages in its map)`);
  const decoded = linkAt(wf, save);
  wf.imagegen_upscale_loader = { class_type: "UpscaleModelLoader", inputs: { model_name: stage.model }, _meta: { title: "Upscale model (imagegen)" } };
  wf.imagegen_upscale = { class_type: "ImageUpscaleWithModel", inputs: { upscale_model: ["imagegen_upscale_loader", 0], image: decoded }, _meta: { title: "Upscale (imagegen)" } };
  let last: Link = ["imagegen_upscale", 0];
  if (stage.refine) last = insertRefine(wf, template, last, decoded, stage.refine);
  wf[save.nodeId].inputs[save.input] = last;
  return wf;
}

function insertRefine(wf: ApiWorkflow, template: Template, pixels: Link, decoded: Link, refine: { denoise: number; steps: number }): Link {
  const samplerId = template.mapping.steps?.nodeId;
  const sampler = samplerId ? wf[samplerId] : undefined;
  const decoder = wf[decoded[0]];
  if (!sampler || sampler.class_type !== "KSampler" || decoder?.class_type !== "VAEDecode")
    throw new StageError(`template "${template.name}" cannot refine (needs a KSampler mapped by steps and a VAEDecode feeding the save node)`);
  const vae = decoder.inputs.vae;
  wf.imagegen_refine_encode = { class_type: "VAEEncode", inputs: { pixels, vae }, _meta: { title: "Refine: encode (imagegen)" } };
  wf.imagegen_refine = {
    class_type: "KSampler",
    inputs: { ...sampler.inputs, steps: refine.steps, denoise: refine.denoise, latent_image: ["imagegen_refine_encode", 0] },
    _meta: { title: "Refine: sample (imagegen)" },
  };
  wf.imagegen_refine_decode = { class_type: "VAEDecode", inputs: { samples: ["imagegen_refine", 0], vae }, _meta: { title: "Refine: decode (imagegen)" } };
  return ["imagegen_refine_decode", 0];
}

/**
 * Pure: inpainting with ComfyUI's own nodes. The mask is loaded and fitted like the input
 * (a copy of the ImageScale that fits the input, when there is one), turned into a MASK from its
 * red channel (the stored mask is greyscale), set as the sampler latent's noise mask, and the
 * decoded result is composited over the input pixels through the same mask, so every black
 * (kept) pixel is the input's, exactly.
 */
export function insertMask(wf: ApiWorkflow, template: Template, maskImage: string, batchSize: number): ApiWorkflow {
  const { saveImages, samplerLatent, inputPixels } = template.mapping;
  if (!saveImages || !samplerLatent || !inputPixels) throw new StageError(`template "${template.name}" cannot take a mask (needs saveImages, samplerLatent and inputPixels in its map)`);
  const pixels = linkAt(wf, inputPixels);
  const fit = wf[pixels[0]];
  wf.imagegen_mask_load = { class_type: "LoadImage", inputs: { image: maskImage }, _meta: { title: "Mask (imagegen)" } };
  let maskPixels: Link = ["imagegen_mask_load", 0];
  if (fit?.class_type === "ImageScale") {
    wf.imagegen_mask_fit = { class_type: "ImageScale", inputs: { ...fit.inputs, image: maskPixels }, _meta: { title: "Mask: fit (imagegen)" } };
    maskPixels = ["imagegen_mask_fit", 0];
  }
  wf.imagegen_mask = { class_type: "ImageToMask", inputs: { image: maskPixels, channel: "red" }, _meta: { title: "Mask: to MASK (imagegen)" } };
  wf.imagegen_mask_latent = { class_type: "SetLatentNoiseMask", inputs: { samples: linkAt(wf, samplerLatent), mask: ["imagegen_mask", 0] }, _meta: { title: "Mask: noise mask (imagegen)" } };
  wf[samplerLatent.nodeId].inputs[samplerLatent.input] = ["imagegen_mask_latent", 0];
  // ImageCompositeMasked's output has the destination's batch size: one input copy per image.
  wf.imagegen_mask_keep = { class_type: "RepeatImageBatch", inputs: { image: pixels, amount: batchSize }, _meta: { title: "Mask: input per image (imagegen)" } };
  wf.imagegen_mask_composite = {
    class_type: "ImageCompositeMasked",
    inputs: { destination: ["imagegen_mask_keep", 0], source: linkAt(wf, saveImages), x: 0, y: 0, resize_source: false, mask: ["imagegen_mask", 0] },
    _meta: { title: "Mask: keep the unmasked input (imagegen)" },
  };
  wf[saveImages.nodeId].inputs[saveImages.input] = ["imagegen_mask_composite", 0];
  return wf;
}
