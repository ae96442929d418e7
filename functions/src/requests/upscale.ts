// Upscale and refine: what a request's `upscale`/`refine` mean for a model, checked against the
// catalog before any money moves. Pure.
import type { ModelItem } from "../catalog/types";
import { invalidArgument } from "../http/errors";

export const UPSCALE_FACTORS = [2, 4] as const;
export type UpscaleFactor = (typeof UPSCALE_FACTORS)[number];

/** The low-denoise second pass ("hires fix") at the upscaled size: strength and share of the model's steps. */
export const REFINE_DENOISE = 0.35;
export const REFINE_STEP_SHARE = 0.5;

/** What the runner needs: the factor, the upscale model file and, with refine, the second pass. */
export interface UpscaleSpec {
  factor: UpscaleFactor;
  model: string;
  refine?: { denoise: number; steps: number };
}

export interface ResolvedUpscale { spec: UpscaleSpec; creditMultiplier: number }

/** null without upscaling; INVALID_ARGUMENT naming the field when the model does not offer it. */
export function resolveUpscale(model: Pick<ModelItem, "id" | "upscale" | "steps">, factor: UpscaleFactor | undefined, refine: boolean | undefined): ResolvedUpscale | null {
  if (factor === undefined) {
    if (refine) throw invalidArgument("refine", "needs upscale (the refine pass runs at the upscaled size)");
    return null;
  }
  const option = model.upscale?.[String(factor) as "2" | "4"];
  if (!option) {
    const offered = Object.keys(model.upscale ?? {}).sort();
    throw invalidArgument("upscale", `${factor} is not offered by model '${model.id}'${offered.length ? `; choose one of ${offered.join(", ")}` : " (it offers no upscaling)"}`);
  }
  if (!refine) return { spec: { factor, model: option.upscaleModel }, creditMultiplier: option.creditMultiplier };
  if (option.refineCreditMultiplier === undefined) throw invalidArgument("refine", `is not offered by model '${model.id}' at upscale ${factor}`);
  const steps = Math.max(1, Math.round(model.steps * REFINE_STEP_SHARE));
  return { spec: { factor, model: option.upscaleModel, refine: { denoise: REFINE_DENOISE, steps } }, creditMultiplier: option.refineCreditMultiplier };
}
