// What the custom-model endpoints accept and answer (the OpenAPI document reads these too).
import { z } from "zod";
import type { Config } from "../config";
import { docId } from "../http/ids";
import { catalogId, idempotencyKey, nextCursorSchema, pageQuerySchema } from "../requests/schema";

export const CUSTOM_MODEL_STATUSES = ["queued", "training", "ready", "failed", "cancelled", "deleted"] as const;
export type CustomModelStatus = (typeof CUSTOM_MODEL_STATUSES)[number];
/** Statuses that hold one of the user's model slots. */
export const SLOT_STATUSES: CustomModelStatus[] = ["queued", "training", "ready"];
export const SUBJECTS = ["person", "product", "style"] as const;

type Limits = Pick<Config, "MAX_TRAINING_IMAGES" | "MAX_TRAINING_INLINE_BYTES">;

export function createCustomModelSchema(cfg: Limits) {
  const inlineChars = Math.ceil((cfg.MAX_TRAINING_INLINE_BYTES * 4) / 3);
  return z.strictObject({
    name: z.string().trim().min(1, "must not be empty").max(100),
    baseModel: catalogId,
    subject: z.enum(SUBJECTS),
    triggerWord: z.string().regex(/^[A-Za-z][A-Za-z0-9]{2,31}$/, "must be 3-32 letters or digits, starting with a letter").transform((s) => s.toLowerCase()).optional()
      .meta({ description: "the word that calls up the subject in prompts; generated (e.g. 'ohwxkqzv') when omitted" }),
    steps: z.number().int().min(1).optional().meta({ description: "training steps; the model's default when omitted, at most its maximum" }),
    imageUploadIds: z.array(docId).max(cfg.MAX_TRAINING_IMAGES).optional().meta({ description: "uploads of purpose training-image (createUpload), each used once" }),
    images: z.array(z.string()).max(cfg.MAX_TRAINING_IMAGES).optional()
      .refine((a) => !a || a.reduce((n, s) => n + s.length, 0) <= inlineChars + 100 * a.length, `all images together must be at most ${cfg.MAX_TRAINING_INLINE_BYTES} bytes; use uploads`)
      .meta({ description: "data URLs, for small tests; real photos go through createUpload" }),
    idempotencyKey: idempotencyKey.optional(),
    webhookUrl: z.string().url().max(2048).optional(),
    userId: docId.optional(),
  }).refine((b) => (b.imageUploadIds?.length ?? 0) + (b.images?.length ?? 0) > 0, { message: "give imageUploadIds or images", path: ["imageUploadIds"] });
}
export type CreateCustomModelInput = z.infer<ReturnType<typeof createCustomModelSchema>>;

export const customModelIdSchema = z.strictObject({ id: docId });
export const listCustomModelsSchema = (cfg: Pick<Config, "PAGE_SIZE_DEFAULT" | "PAGE_SIZE_MAX">) =>
  z.strictObject({ ...pageQuerySchema(cfg), status: z.enum(CUSTOM_MODEL_STATUSES).optional() });

const isoTime = z.string().datetime();
const count = z.number().int().min(0);

export const customModelSchema = z.strictObject({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  baseModel: z.string(),
  subject: z.enum(SUBJECTS),
  triggerWord: z.string(),
  status: z.enum(CUSTOM_MODEL_STATUSES),
  progress: z.number().min(0).max(1),
  step: count,
  steps: count,
  cost: count,
  charge: z.enum(["reserved", "charged", "refund-pending", "refunded"]),
  error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  imageCount: count,
  createdAt: isoTime.nullable(),
  startedAt: isoTime.nullable(),
  readyAt: isoTime.nullable(),
  gpuSeconds: z.number().min(0).nullable().meta({ description: "ComfyUI execution time of the training run (queue time excluded); null until it ran" }),
  deletedAt: isoTime.nullable(),
}).meta({ id: "CustomModel" });

export const customModelListSchema = z.strictObject({ models: z.array(customModelSchema), nextCursor: nextCursorSchema });

export const createCustomModelResultSchema = z.strictObject({
  customModelId: z.string(),
  status: z.enum(CUSTOM_MODEL_STATUSES),
  deductedCredits: count,
  currentCredits: z.number().int(),
  replayed: z.boolean().meta({ description: "true when an idempotencyKey replayed an earlier create (status 200, nothing charged)" }),
});

export const cancelCustomModelResultSchema = z.strictObject({
  id: z.string(), status: z.literal("cancelled"), refundedCredits: count, currentCredits: z.number().int(),
});

export const deleteCustomModelResultSchema = z.strictObject({
  id: z.string(),
  status: z.literal("deleted"),
  refundedCredits: count.meta({ description: "a model deleted while still queued is refunded; once training started it is not" }),
  filesDeleted: count,
  generationRequestsFailed: count.meta({ description: "queued generation requests that used the model, ended failed and refunded" }),
});

export type CustomModelReply = z.infer<typeof customModelSchema>;
