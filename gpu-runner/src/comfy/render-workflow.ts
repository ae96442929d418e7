import type { ApiWorkflow, Param, Template } from "./templates";

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
}

export class RenderError extends Error {}

/** Pure: returns a new workflow with the mapped inputs set; the template is never mutated. */
export function renderWorkflow(template: Template, params: RenderParams): ApiWorkflow {
  const wf = structuredClone(template.workflow);
  if (template.mapping.inputImage && !params.inputImage) throw new RenderError(`template "${template.name}" needs an input image`);
  if (params.inputImage && !template.mapping.inputImage) throw new RenderError(`template "${template.name}" takes no input image`);
  for (const [param, ref] of Object.entries(template.mapping) as [Param, { nodeId: string; input: string }][]) {
    const value = params[param];
    if (value === undefined) continue; // keep the template's default (e.g. denoise)
    wf[ref.nodeId].inputs[ref.input] = value;
  }
  return wf;
}
