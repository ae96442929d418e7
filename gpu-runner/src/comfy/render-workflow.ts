import { LINK_PARAMS, type ApiWorkflow, type InputRef, type Template, type ValueParam } from "./templates";
import { insertMask, insertUpscale, type UpscaleStage } from "./stages";

export interface RenderParams {
  positivePrompt: string;
  negativePrompt: string;
  seed: number;
  steps: number;
  cfg: number;
  width: number;
  height: number;
  batchSize: number;
  denoise?: number;
  /** ComfyUI's name of the uploaded input image (what LoadImage expects). */
  inputImage?: string;
  filenamePrefix: string;
  /** A LoRA file already in ComfyUI's loras folder (its `lora_name`) and its strength. */
  lora?: { name: string; strength: number };
  /** ComfyUI's name of the uploaded mask (white repainted, black kept). */
  maskImage?: string;
  upscale?: UpscaleStage;
}

/** What a training template is filled with. */
export interface TrainingParams { trainingFolder: string; loraPrefix: string; steps: number; seed: number }

export class RenderError extends Error {}

/** Id of the loader node the runner inserts; templates never use it. */
export const LORA_NODE_ID = "imagegen_lora";

/** Pure: returns a new workflow with the mapped inputs set; the template is never mutated. */
export function renderWorkflow(template: Template, params: Partial<Record<ValueParam, string | number>> & Pick<RenderParams, "lora" | "maskImage" | "upscale">): ApiWorkflow {
  const wf = structuredClone(template.workflow);
  if (template.mapping.inputImage && !params.inputImage) throw new RenderError(`template "${template.name}" needs an input image`);
  if (params.inputImage && !template.mapping.inputImage) throw new RenderError(`template "${template.name}" takes no input image`);
  for (const [param, ref] of Object.entries(template.mapping) as [ValueParam, InputRef][]) {
    if (LINK_PARAMS.includes(param)) continue;
    const value = params[param];
    if (value === undefined) continue; // keep the template's default (e.g. denoise)
    wf[ref.nodeId].inputs[ref.input] = value;
  }
  // Order matters: the mask's composite is the image the upscale stage then enlarges.
  const withLora = params.lora ? insertLora(wf, template, params.lora) : wf;
  const withMask = params.maskImage ? insertMask(withLora, template, params.maskImage, Number(params.batchSize ?? 1)) : withLora;
  return params.upscale ? insertUpscale(withMask, template, params.upscale) : withMask;
}

/**
 * Pure: puts a LoraLoader (MODEL + CLIP) or LoraLoaderModelOnly (MODEL) between the checkpoint and
 * its consumers, at the links the template's map names, and rewires every input linked to the
 * same outputs. The graph is edited as data, never as text.
 */
export function insertLora(wf: ApiWorkflow, template: Template, lora: { name: string; strength: number }): ApiWorkflow {
  const { loraModel, loraClip } = template.mapping;
  if (!loraModel) throw new RenderError(`template "${template.name}" cannot take a LoRA (no loraModel in its map)`);
  const link = (ref: InputRef) => wf[ref.nodeId].inputs[ref.input] as [string, number];
  const model = link(loraModel);
  const clip = loraClip ? link(loraClip) : null;
  const rewire = (from: [string, number], to: [string, number]) => {
    for (const node of Object.values(wf)) {
      for (const [name, v] of Object.entries(node.inputs)) {
        if (Array.isArray(v) && v[0] === from[0] && v[1] === from[1]) node.inputs[name] = to;
      }
    }
  };
  rewire(model, [LORA_NODE_ID, 0]);
  if (clip) rewire(clip, [LORA_NODE_ID, 1]);
  wf[LORA_NODE_ID] = clip
    ? { class_type: "LoraLoader", inputs: { model, clip, lora_name: lora.name, strength_model: lora.strength, strength_clip: lora.strength }, _meta: { title: "LoRA (imagegen)" } }
    : { class_type: "LoraLoaderModelOnly", inputs: { model, lora_name: lora.name, strength_model: lora.strength }, _meta: { title: "LoRA (imagegen)" } };
  return wf;
}

/** Pure: the loader node class a template gets for a LoRA, or null when it takes none. */
export function loraLoaderFor(template: Pick<Template, "mapping">): "LoraLoader" | "LoraLoaderModelOnly" | null {
  return template.mapping.loraModel ? (template.mapping.loraClip ? "LoraLoader" : "LoraLoaderModelOnly") : null;
}
