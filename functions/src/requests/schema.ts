import { z } from "zod";
import { docId } from "../http/ids";
import type { Config } from "../config";

export const catalogId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, "must be a catalog id");
// Printable ASCII without spaces: keys end up in logs and hashes, so keep them unambiguous.
export const idempotencyKey = z.string().min(8).max(255).regex(/^[\x21-\x7e]+$/, "must be 8-255 printable ASCII characters without spaces");

export function createRequestSchema(cfg: Pick<Config, "MAX_PROMPT_CHARS" | "MAX_NEGATIVE_PROMPT_CHARS" | "MAX_INPUT_IMAGE_BYTES">) {
  // A data URL carries base64 (4 chars per 3 bytes) plus a short header.
  const maxDataUrlChars = Math.ceil((cfg.MAX_INPUT_IMAGE_BYTES * 4) / 3) + 100;
  return z.strictObject({
    model: catalogId,
    style: catalogId,
    color: catalogId,
    size: catalogId,
    prompt: z.string().trim().min(1, "must not be empty").max(cfg.MAX_PROMPT_CHARS, `must be at most ${cfg.MAX_PROMPT_CHARS} characters`),
    negativePrompt: z.string().trim().max(cfg.MAX_NEGATIVE_PROMPT_CHARS, `must be at most ${cfg.MAX_NEGATIVE_PROMPT_CHARS} characters`).optional(),
    numImages: z.number().int().min(1).max(4).default(1),
    seed: z.number().int().min(0).max(4_294_967_295).optional(),
    inputImage: z.string().max(maxDataUrlChars, `image larger than ${cfg.MAX_INPUT_IMAGE_BYTES} bytes`).optional(),
    inputImageUploadId: docId.optional().meta({ description: "an upload of purpose input-image (createUpload): the alternative to inputImage" }),
    customModelId: docId.optional().meta({ description: "a ready custom model of yours; `model` must be its baseModel" }),
    loraStrength: z.number().min(0).max(2).optional().meta({ description: "with customModelId: how strongly its LoRA applies (default 0.9)" }),
    idempotencyKey: idempotencyKey.optional(),
    webhookUrl: z.string().url().max(2048).optional(),
    userId: docId.optional(),
  })
    .refine((b) => !(b.inputImage && b.inputImageUploadId), { message: "give inputImage or inputImageUploadId, not both", path: ["inputImageUploadId"] })
    .refine((b) => b.loraStrength === undefined || b.customModelId !== undefined, { message: "only applies with customModelId", path: ["loraStrength"] });
}

export type CreateRequestInput = z.infer<ReturnType<typeof createRequestSchema>>;

/** Creates per createGenerationRequests call: one commit per account, like the group commit's bound. */
export const MAX_BATCH_REQUESTS = 50;

/** The batch envelope; each item is parsed on its own (createRequestSchema), so its errors are its own. */
export const createBatchSchema = z.strictObject({
  requests: z.array(z.unknown()).min(1, "must hold at least one request").max(MAX_BATCH_REQUESTS, `must hold at most ${MAX_BATCH_REQUESTS} requests`),
  // Leaves room for ":<index>", which names each item that has no key of its own.
  idempotencyKey: idempotencyKey.max(240).optional(),
});

export const REQUEST_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export function pageQuerySchema(cfg: Pick<Config, "PAGE_SIZE_DEFAULT" | "PAGE_SIZE_MAX">) {
  return {
    limit: z.coerce.number().int().min(1).max(cfg.PAGE_SIZE_MAX).default(cfg.PAGE_SIZE_DEFAULT),
    cursor: z.string().max(512).optional(),
    userId: docId.optional(),
  };
}

export const cancelSchema = z.strictObject({ id: docId });
export const getSchema = z.strictObject({ id: docId });

export const listQuerySchema = (cfg: Pick<Config, "PAGE_SIZE_DEFAULT" | "PAGE_SIZE_MAX">) =>
  z.strictObject({ ...pageQuerySchema(cfg), status: z.enum(REQUEST_STATUSES).optional() });

// Replies. Timestamps are ISO strings; nullable fields are always present.
const isoTime = z.string().datetime();
const count = z.number().int().min(0);
export const nextCursorSchema = z.string().nullable().meta({ description: "pass as `cursor` for the next page; null on the last page" });

export const createResultSchema = z.strictObject({
  generationRequestId: z.string(),
  deductedCredits: count,
  currentCredits: z.number().int(),
  status: z.enum(REQUEST_STATUSES),
  replayed: z.boolean().meta({ description: "true when an idempotencyKey replayed an earlier create (status 200, nothing charged)" }),
});

export const requestSummarySchema = z.strictObject({
  id: z.string(),
  userId: z.string(),
  status: z.enum(REQUEST_STATUSES),
  model: z.string(),
  style: z.string(),
  color: z.string(),
  size: z.string(),
  prompt: z.string(),
  negativePrompt: z.string().nullable(),
  numImages: z.number().int().min(1),
  seed: z.number().int().optional(),
  cost: count,
  charge: z.enum(["reserved", "charged", "refund-pending", "refunded"]),
  progress: z.number().min(0).max(1),
  attempts: count,
  error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  webhookUrl: z.string().nullable(),
  createdAt: isoTime.nullable(),
  startedAt: isoTime.nullable(),
  finishedAt: isoTime.nullable(),
  durationMs: z.number().nullable(),
  gpuSeconds: z.number().min(0).nullable().meta({ description: "ComfyUI execution time of the last attempt (execution start to success or error; queue time excluded); null until it ran" }),
  outputsState: z.enum(["available", "deleted", "expired", "none"]).meta({
    description: "available: outputs has download URLs; deleted: deleteGenerationRequest removed them (a tombstone: prompt scrubbed); expired: past OUTPUT_RETENTION_DAYS, gone for good (410-style); none: not succeeded",
  }),
  deletedAt: isoTime.nullable(),
  outputsExpiredAt: isoTime.nullable(),
}).meta({ id: "GenerationRequest" });

export const outputViewSchema = z.strictObject({
  url: z.string().meta({ description: "signed download URL; expires after SIGNED_URL_TTL_SECONDS" }),
  thumbnailUrl: z.string().optional(),
  contentType: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  bytes: count,
  seed: z.number().int().optional(),
}).meta({ id: "Output" });

export const requestDetailSchema = requestSummarySchema.extend({ outputs: z.array(outputViewSchema) }).meta({ id: "GenerationRequestWithOutputs" });

export const requestListSchema = z.strictObject({ requests: z.array(requestSummarySchema), nextCursor: nextCursorSchema });

export const cancelResultSchema = z.strictObject({
  id: z.string(),
  status: z.literal("cancelled"),
  refundedCredits: count,
  currentCredits: z.number().int(),
});

export type RequestSummaryReply = z.infer<typeof requestSummarySchema>;
export type RequestDetailReply = z.infer<typeof requestDetailSchema>;
export type RequestListReply = z.infer<typeof requestListSchema>;
export type CreateReply = z.infer<typeof createResultSchema>;

const batchItemErrorSchema = z.strictObject({ code: z.string(), message: z.string(), details: z.unknown().optional() });

/** createGenerationRequests' answer: one result per item, in order (createBatch.ts). */
export const batchResultSchema = z.strictObject({
  results: z.array(z.strictObject({
    index: z.number().int().min(0),
    status: z.number().int().meta({ description: "what the single endpoint would have answered for this item: 201 created, 200 replayed, else the error's status" }),
    generationRequestId: z.string().optional(),
    deductedCredits: z.number().int().optional(),
    currentCredits: z.number().int().optional(),
    requestStatus: z.enum(REQUEST_STATUSES).optional(),
    replayed: z.boolean().optional(),
    error: batchItemErrorSchema.optional(),
  })),
  summary: z.strictObject({ created: z.number().int(), replayed: z.number().int(), refused: z.number().int() }),
}).meta({ id: "BatchCreateResult" });
