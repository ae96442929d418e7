import { z } from "zod";
import { errors } from "../errors";

// The part of customModels/{id} the runner reads: `train` (everything it needs; never the
// catalog) and the owner.
const sha = z.string().regex(/^[0-9a-f]{64}$/);
const trainingSchema = z.object({
  userId: z.string().min(1),
  train: z.object({
    workflow: z.string().min(1),
    steps: z.number().int().min(1).max(100_000),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    caption: z.string().min(1).max(1000),
    photos: z.array(z.object({ path: z.string().min(1), sha256: sha })).min(1).max(50),
  }),
});
export type TrainingInput = z.infer<typeof trainingSchema>;

export function parseTrainingInput(data: unknown): TrainingInput {
  const parsed = trainingSchema.safeParse(data);
  if (!parsed.success) {
    const where = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw errors.invalidRequest(`custom model document is not trainable: ${where}`);
  }
  return parsed.data;
}
