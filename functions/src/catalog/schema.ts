// The catalog as the code may rely on it: every entry of models/, styles/, colors/ and sizes/ is
// checked at read, disabled ones too (an operator enables them later), so a typo in Firestore
// (a price of 0, a string where a number belongs, a training block without its workflow) is one
// clear error naming the entry and the field, never a request priced or trained from a bad value.
// Prices are positive integers: every paid job has a cost to refund (a free job would never be
// marked refunded and would linger in the sweeper's reconcile query).
import { z } from "zod";
import type { CatalogItem, CatalogKind, ModelItem, PromptItem, SizeItem } from "./types";

const positiveInt = z.number().int().min(1);
const name = z.string().trim().min(1).max(200);
const template = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, "must be a template name (letters, digits, '-', '_')");
const base = { id: z.string(), displayName: name, enabled: z.boolean() };

const trainingSchema = z.object({
  creditsPerRun: positiveInt,
  defaultSteps: positiveInt,
  maxSteps: positiveInt,
  workflow: template,
  loraLoader: z.enum(["LoraLoader", "LoraLoaderModelOnly"]).optional(),
}).refine((t) => t.defaultSteps <= t.maxSteps, { message: "defaultSteps must not exceed maxSteps", path: ["defaultSteps"] });

// An upscale factor a model offers: the upscale model file (in ComfyUI's models/upscale_models;
// its own scale must equal the factor) and the size multiplier of the price, without and with
// the refine pass. No refine multiplier: refine is not offered at that factor.
const upscaleOptionSchema = z.object({
  upscaleModel: z.string().trim().min(1).max(200),
  creditMultiplier: positiveInt,
  refineCreditMultiplier: positiveInt.optional(),
});

const modelSchema = z.object({
  ...base,
  creditsPerImage: positiveInt,
  workflow: template,
  kind: z.enum(["text-to-image", "image-to-image"]),
  steps: positiveInt.max(200),
  cfg: z.number().positive().max(30).optional(),
  denoise: z.number().gt(0).max(1).optional(),
  training: trainingSchema.optional(),
  pool: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  upscale: z.object({ "2": upscaleOptionSchema.optional(), "4": upscaleOptionSchema.optional() }).strict().optional(),
});

const promptSchema = z.object({ ...base, prompt: z.string().max(2000) });

const sizeSchema = z.object({ ...base, width: positiveInt.max(8192), height: positiveInt.max(8192), creditMultiplier: positiveInt });

// `satisfies`: the compiler keeps the schemas and the types the code reads in step.
const schemas: Record<CatalogKind, z.ZodType<CatalogItem>> = {
  models: modelSchema satisfies z.ZodType<ModelItem>,
  styles: promptSchema satisfies z.ZodType<PromptItem>,
  colors: promptSchema,
  sizes: sizeSchema satisfies z.ZodType<SizeItem>,
};

export interface CatalogIssue {
  /** `models/A` */
  entry: string;
  fields: string[];
}

/** Parses one entry (its document id and data); an issue lists every bad field of it. */
export function parseEntry(kind: CatalogKind, id: string, data: unknown): { item: CatalogItem } | { issue: CatalogIssue } {
  const r = schemas[kind].safeParse({ ...(data as object), id });
  if (r.success) return { item: r.data };
  return { issue: { entry: `${kind}/${id}`, fields: r.error.issues.map((i) => `${i.path.map(String).join(".") || "(entry)"}: ${i.message}`) } };
}

/** One message for the logs and the operator: every bad entry with its fields. */
export function catalogError(issues: CatalogIssue[]): Error {
  const text = issues.map((i) => `${i.entry} (${i.fields.join("; ")})`).join(", ");
  return new Error(`catalog invalid: ${issues.length} ${issues.length === 1 ? "entry" : "entries"} must be fixed in Firestore: ${text}`);
}
