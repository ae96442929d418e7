import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

// A template is a ComfyUI API-format workflow plus an explicit map from our render
// parameters to `nodeId.inputs.name`. Validation runs at boot so a broken template fails the
// process, not the first paying job.

export const PARAMS = [
  "positivePrompt", "negativePrompt", "seed", "steps", "cfg", "width", "height",
  "batchSize", "denoise", "inputImage", "filenamePrefix",
  // Training templates: the dataset folder of uploaded photos and SaveLoRA's prefix.
  "trainingFolder", "loraPrefix",
  // Where a LoRA loader is inserted: the input that consumes the checkpoint's MODEL (and CLIP).
  // These two name links; every input linked to the same output is rewired through the loader.
  "loraModel", "loraClip",
  // Where the runner's stages attach (stages.ts): the image the save node stores (upscale, mask
  // composite), the latent the sampler starts from (noise mask) and the input pixels it was
  // encoded from (the pixels a mask keeps).
  "saveImages", "samplerLatent", "inputPixels",
] as const;
export type Param = (typeof PARAMS)[number];
export type ValueParam = Exclude<Param, LinkParam>;
export type LinkParam = "loraModel" | "loraClip" | "saveImages" | "samplerLatent" | "inputPixels";
export const LINK_PARAMS: readonly Param[] = ["loraModel", "loraClip", "saveImages", "samplerLatent", "inputPixels"];
const REQUIRED: Param[] = ["positivePrompt", "seed", "filenamePrefix"];
const REQUIRED_TRAINING: Param[] = ["trainingFolder", "loraPrefix", "steps", "seed"];

/** A training template fills a dataset folder and a LoRA prefix instead of a prompt and an image prefix. */
export const isTrainingTemplate = (t: Pick<Template, "mapping">) => Boolean(t.mapping.trainingFolder);

/**
 * Whose progress counts, and how many progress ticks make one step. The sampler or trainer is
 * the node `steps` is mapped to. TrainLoraNode's ProgressBar counts micro-steps
 * (steps × grad_accumulation_steps, one update each; comfy_extras/nodes_train.py), so a training
 * step is `grad_accumulation_steps` ticks; a sampler's tick is one step.
 */
export function progressSource(t: Template): { node: string | undefined; ticksPerStep: number } {
  const node = t.mapping.steps?.nodeId;
  const acc = Number(node ? t.workflow[node]?.inputs.grad_accumulation_steps : undefined);
  return { node, ticksPerStep: Number.isInteger(acc) && acc > 1 ? acc : 1 };
}

export type ApiWorkflow = Record<string, { class_type: string; inputs: Record<string, unknown>; _meta?: { title?: string } }>;
export interface InputRef { nodeId: string; input: string }
export interface Template { name: string; workflow: ApiWorkflow; mapping: Partial<Record<Param, InputRef>> }

const workflowSchema = z.record(
  z.string(),
  z.object({ class_type: z.string().min(1), inputs: z.record(z.string(), z.unknown()), _meta: z.object({ title: z.string().optional() }).passthrough().optional() }).passthrough(),
);
const mappingSchema = z.record(
  z.string(),
  z.string().regex(/^[^.]+\.inputs\.[^.]+$/, "must look like <nodeId>.inputs.<name>"),
);

export class TemplateError extends Error {}

/** Checks one template in memory; throws a TemplateError naming the template, node and input. */
export function buildTemplate(name: string, workflowJson: unknown, mappingJson: unknown): Template {
  const wf = workflowSchema.safeParse(workflowJson);
  if (!wf.success) throw new TemplateError(`template "${name}": workflow is not ComfyUI API format: ${wf.error.issues[0]?.path.join(".")} ${wf.error.issues[0]?.message}`);
  const mp = mappingSchema.safeParse(mappingJson);
  if (!mp.success) throw new TemplateError(`template "${name}": bad mapping at "${mp.error.issues[0]?.path.join(".")}": ${mp.error.issues[0]?.message}`);
  const unknown = Object.keys(mp.data).find((k) => !(PARAMS as readonly string[]).includes(k));
  if (unknown) throw new TemplateError(`template "${name}": mapping has unknown parameter "${unknown}" (known: ${PARAMS.join(", ")})`);
  const mapping: Partial<Record<Param, InputRef>> = {};
  for (const [param, ref] of Object.entries(mp.data) as [Param, string][]) {
    const [nodeId, , input] = ref.split(".");
    const node = wf.data[nodeId];
    if (!node) throw new TemplateError(`template "${name}": mapping "${param}" → node "${nodeId}" does not exist (input "${input}")`);
    if (!(input in node.inputs))
      throw new TemplateError(`template "${name}": mapping "${param}" → node "${nodeId}" (${node.class_type}) has no input "${input}"`);
    const isLink = Array.isArray(node.inputs[input]);
    if (isLink !== LINK_PARAMS.includes(param))
      throw new TemplateError(`template "${name}": mapping "${param}" → node "${nodeId}" input "${input}" is ${isLink ? "a link, not a value" : "a value, not a link"}`);
    mapping[param] = { nodeId, input };
  }
  if (mapping.loraClip && !mapping.loraModel) throw new TemplateError(`template "${name}": mapping has "loraClip" without "loraModel"`);
  for (const param of mapping.trainingFolder ? REQUIRED_TRAINING : REQUIRED) {
    if (!mapping[param]) throw new TemplateError(`template "${name}": mapping lacks required parameter "${param}"`);
  }
  return { name, workflow: wf.data as ApiWorkflow, mapping };
}

/** Loads every `<name>.json` + `<name>.map.json` pair from `dir`. */
export function loadTemplates(dir: string): Map<string, Template> {
  const names = fs.readdirSync(dir).filter((f) => f.endsWith(".map.json")).map((f) => f.slice(0, -".map.json".length));
  if (names.length === 0) throw new TemplateError(`no templates (*.map.json) in ${dir}`);
  const out = new Map<string, Template>();
  for (const name of names.sort()) {
    const read = (file: string) => {
      try {
        return JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
      } catch (e) {
        throw new TemplateError(`template "${name}": cannot read ${file}: ${(e as Error).message}`);
      }
    };
    out.set(name, buildTemplate(name, read(`${name}.json`), read(`${name}.map.json`)));
  }
  return out;
}
