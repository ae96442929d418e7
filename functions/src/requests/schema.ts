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
    maskImage: z.string().max(maxDataUrlChars, `image larger than ${cfg.MAX_INPUT_IMAGE_BYTES} bytes`).optional()
      .meta({ description: "image-to-image only: a data URL of a mask the size of the input image; white is repainted, black is kept (grey blends)" }),
    maskUploadId: docId.optional().meta({ description: "an upload of purpose input-image holding the mask: the alternative to maskImage" }),
    upscale: z.literal([2, 4], { error: "must be 2 or 4" }).optional()
      .meta({ description: "upscale the outputs 2× or 4× with the model's upscale model (priced with the catalog's upscale multiplier)" }),
    refine: z.boolean().optional().meta({ description: "with upscale: a second, low-denoise sampling pass at the upscaled size" }),
    customModelId: docId.optional().meta({ description: "a ready custom model of yours; `model` must be its baseModel" }),
    loraStrength: z.number().min(0).max(2).optional().meta({ description: "with customModelId: how strongly its LoRA applies (default 0.9)" }),
    idempotencyKey: idempotencyKey.optional(),
    webhookUrl: z.string().url().max(2048).optional(),
    userId: docId.optional(),
    orgId: docId.optional().meta({ description: "charge this organisation's wallet (you must be a member); an organisation's API key always does" }),
  })
    .refine((b) => !(b.inputImage && b.inputImageUploadId), { message: "give inputImage or inputImageUploadId, not both", path: ["inputImageUploadId"] })
    .refine((b) => !(b.maskImage && b.maskUploadId), { message: "give maskImage or maskUploadId, not both", path: ["maskUploadId"] })
    .refine((b) => !b.refine || b.upscale !== undefined, { message: "needs upscale (the refine pass runs at the upscaled size)", path: ["refine"] })
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
export const streamQuerySchema = z.strictObject({
  id: docId,
  lastEventId: z.string().max(200).optional().meta({ description: "resume after this event (the Last-Event-ID header, which EventSource sends itself, works too)" }),
});
export const streamReplySchema = z.string().meta({
  description: "text/event-stream. Events, in order: `status` {status}, `queue` {position, etaSeconds}, `progress` {progress 0..1}, `preview` {url, updatedAt} (a small WebP, at most one a second), and at a terminal state `done` (the request as getGenerationRequest answers it, with output URLs), after which the stream ends. Comment lines are heartbeats. Each event's id stands for everything seen so far: reconnect with Last-Event-ID to get only what changed. Before the function's timeout the stream ends with a `retry:` line.",
});
export const getSchema = z.strictObject({ id: docId });

export const listQuerySchema = (cfg: Pick<Config, "PAGE_SIZE_DEFAULT" | "PAGE_SIZE_MAX">) =>
  z.strictObject({
    ...pageQuerySchema(cfg), status: z.enum(REQUEST_STATUSES).optional(),
    orgId: docId.optional().meta({ description: "an organisation's requests: all of them for its owners and admins, your own for other members" }),
  });

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
  queue: z.strictObject({
    position: z.number().int().min(0).nullable().meta({ description: "jobs of the same GPU pool ahead of this one (0 = next); null while running" }),
    etaSeconds: z.number().int().min(0).meta({ description: "estimated seconds until done, from the runners' measured execution times, the pool's capacity and the job's progress" }),
  }).nullable().meta({ description: "while queued or running: where the job is and when it should be done (computed when read); null otherwise" }),
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

export const requestDetailSchema = requestSummarySchema.extend({
  outputs: z.array(outputViewSchema),
  previewUrl: z.string().nullable().meta({ description: "while running: signed URL of the latest low-resolution preview (WebP, refreshed at most once a second); null otherwise" }),
}).meta({ id: "GenerationRequestWithOutputs" });

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
