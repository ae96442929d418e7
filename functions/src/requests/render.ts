// Resolves what the runner needs from the catalog at create time, so a later catalog change
// never alters a job that was already paid for.
import type { ModelItem, PromptItem, SizeItem } from "../catalog/types";
import type { UpscaleSpec } from "./upscale";

export interface RenderSpec {
  workflow: string;
  positivePrompt: string;
  negativePrompt: string;
  width: number;
  height: number;
  batchSize: number;
  seed: number;
  steps: number;
  cfg: number;
  denoise?: number;
  inputImagePath?: string;
  /** A custom model's LoRA (the custom-model contract (docs/custom-models.md)): the runner inserts its loader through the template's parameter map. */
  lora?: { path: string; sha256: string; strength: number };
  /** image-to-image with a mask: the stored greyscale mask (white repainted, black kept). */
  maskImagePath?: string;
  /** Outputs are `factor` times width and height; with `refine`, a second low-denoise pass runs at that size. */
  upscale?: UpscaleSpec;
}

const DEFAULT_NEGATIVE = "blurry, low quality, watermark, text";

export function renderSpec(args: {
  model: ModelItem;
  style: PromptItem;
  color: PromptItem;
  size: SizeItem;
  prompt: string;
  negativePrompt?: string;
  numImages: number;
  seed: number;
  inputImagePath?: string;
  lora?: RenderSpec["lora"];
  maskImagePath?: string;
  upscale?: UpscaleSpec;
}): RenderSpec {
  const spec: RenderSpec = {
    workflow: args.model.workflow,
    positivePrompt: [args.prompt, args.style.prompt, args.color.prompt].filter(Boolean).join(", "),
    negativePrompt: args.negativePrompt || DEFAULT_NEGATIVE,
    width: args.size.width,
    height: args.size.height,
    batchSize: args.numImages,
    seed: args.seed,
    steps: args.model.steps,
    cfg: args.model.cfg ?? 7,
  };
  if (args.lora) spec.lora = args.lora;
  if (args.upscale) spec.upscale = args.upscale;
  if (args.model.kind === "image-to-image") {
    spec.denoise = args.model.denoise ?? 0.6;
    spec.inputImagePath = args.inputImagePath;
    if (args.maskImagePath) spec.maskImagePath = args.maskImagePath;
  }
  return spec;
}
