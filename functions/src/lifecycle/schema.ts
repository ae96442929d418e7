// What the lifecycle endpoints accept and answer (the OpenAPI document reads these too).
import { z } from "zod";
import { docId } from "../http/ids";
import { apiKeySchema } from "../auth/apiKeySchemas";
import { ledgerEntrySchema } from "../ledger/schema";
import { customModelSchema } from "../models/schema";
import { nextCursorSchema, requestDetailSchema } from "../requests/schema";
import type { LifecycleConfig } from "./config";

const isoTime = z.string().datetime();

export const deleteRequestSchema = z.strictObject({ id: docId });

export const deleteResultSchema = z.strictObject({
  id: z.string(),
  status: z.string().meta({ description: "unchanged by the deletion" }),
  deletedAt: isoTime,
  alreadyDeleted: z.boolean().meta({ description: "true when an earlier call deleted it (nothing changed now)" }),
});

export const exportQuerySchema = (cfg: Pick<LifecycleConfig, "EXPORT_PAGE_SIZE">) => z.strictObject({
  userId: docId.optional().meta({ description: "admins only: whose data" }),
  cursor: z.string().max(1024).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(cfg.EXPORT_PAGE_SIZE).meta({ description: "items per page across the paged sections" }),
});

const exportedRequestSchema = requestDetailSchema.extend({
  inputImageUrl: z.string().nullable().meta({ description: "signed URL of the input photo while it is kept (INPUT_RETENTION_DAYS)" }),
});

const deliverySchema = z.strictObject({
  id: z.string(), requestId: z.string(), url: z.string().nullable(), attempts: z.number().int(), lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(), deliveredAt: isoTime.nullable(), updatedAt: isoTime.nullable(),
});

export const exportPageSchema = z.strictObject({
  userId: z.string(),
  exportedAt: isoTime,
  profile: z.strictObject({
    userId: z.string(), email: z.string().nullable(), role: z.string(), credits: z.number().int(),
    plan: z.strictObject({ id: z.string(), status: z.string(), source: z.string(), periodStart: isoTime.nullable(), periodEnd: isoTime.nullable() }),
    createdAt: isoTime.nullable(), erasedAt: isoTime.nullable(),
  }).nullable().meta({ description: "first page only (null on later pages)" }),
  apiKeys: z.array(apiKeySchema).nullable().meta({ description: "first page only: metadata, never the key or its hash" }),
  grants: z.array(z.strictObject({
    id: z.string(), source: z.string(), amount: z.number().int(), remaining: z.number().int(), drawn: z.number().int(), givenBack: z.number().int(),
    expired: z.number().int(), expiresAt: isoTime.nullable(), createdAt: isoTime.nullable(),
  })).nullable().meta({ description: "first page only: every credit grant with what was drawn, given back and expired" }),
  requests: z.array(exportedRequestSchema),
  ledger: z.array(ledgerEntrySchema),
  webhookDeliveries: z.array(deliverySchema),
  customModels: z.array(customModelSchema).meta({ description: "metadata only: the photos and the LoRA are not exported" }),
  nextCursor: nextCursorSchema,
}).meta({ id: "UserExportPage" });

export const eraseSchema = z.strictObject({
  userId: docId,
  reason: z.string().trim().min(3).max(500),
});

export const eraseResultSchema = z.strictObject({
  userId: z.string(),
  status: z.enum(["running", "completed"]),
  alreadyErased: z.boolean().meta({ description: "true when an earlier call completed the erasure (nothing changed now)" }),
  stepsDone: z.array(z.string()),
  startedAt: isoTime,
  completedAt: isoTime.nullable(),
}).meta({ id: "Erasure" });

export type ExportPageReply = z.infer<typeof exportPageSchema>;
export type EraseReply = z.infer<typeof eraseResultSchema>;
