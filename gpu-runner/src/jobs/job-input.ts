import { z } from "zod";
import { errors } from "../errors";

// The part of generationRequests/{id} the runner reads (docs/data-model.md): only `render`
// and the owner, never the catalog.
const renderSchema = z.object({
  workflow: z.string().min(1),
  positivePrompt: z.string().min(1),
  negativePrompt: z.string().default(""),
  width: z.number().int().min(16).max(16384),
  height: z.number().int().min(16).max(16384),
  batchSize: z.number().int().min(1).max(4),
  seed: z.number().int().min(0).max(4294967295),
  steps: z.number().int().min(1).max(10000),
  cfg: z.number().min(0).max(100),
  denoise: z.number().min(0).max(1).optional(),
  inputImagePath: z.string().min(1).optional(),
  // A custom model's LoRA (issue 15): stored file, its sha256, and how strongly to apply it.
  lora: z.object({ path: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/), strength: z.number().min(0).max(2) }).optional(),
  // image-to-image with a mask: the stored greyscale mask (white repainted, black kept).
  maskImagePath: z.string().min(1).optional(),
  // Outputs `factor` times the size; `refine` is the low-denoise second pass at that size.
  upscale: z.object({
    factor: z.union([z.literal(2), z.literal(4)]),
    model: z.string().min(1),
    refine: z.object({ denoise: z.number().gt(0).max(0.5), steps: z.number().int().min(1).max(10000) }).optional(),
  }).optional(),
});
const jobSchema = z.object({ userId: z.string().min(1), render: renderSchema });
export type JobInput = z.infer<typeof jobSchema>;

export function parseJobInput(data: unknown): JobInput {
  const parsed = jobSchema.safeParse(data);
  if (!parsed.success) {
    const where = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw errors.invalidRequest(`request document is not runnable: ${where}`);
  }
  return parsed.data;
}
