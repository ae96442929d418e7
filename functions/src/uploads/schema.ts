// What createUpload accepts and answers (the OpenAPI document reads these too).
import { z } from "zod";
import type { Config } from "../config";
import { docId } from "../http/ids";

export const UPLOAD_PURPOSES = ["input-image", "training-image"] as const;
export type UploadPurpose = (typeof UPLOAD_PURPOSES)[number];
export const UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;

export const createUploadSchema = (cfg: Pick<Config, "MAX_UPLOAD_BYTES">) =>
  z.strictObject({
    purpose: z.enum(UPLOAD_PURPOSES).meta({ description: "input-image: inputImageUploadId of createGenerationRequest; training-image: imageUploadIds of createCustomModel" }),
    contentType: z.enum(UPLOAD_CONTENT_TYPES),
    bytes: z.number().int().min(1).max(cfg.MAX_UPLOAD_BYTES, `must be at most ${cfg.MAX_UPLOAD_BYTES}`).meta({ description: "the exact size of the file; the URL accepts this many bytes, no more, no less" }),
    userId: docId.optional(),
  });

export type CreateUploadInput = z.infer<ReturnType<typeof createUploadSchema>>;

export const createUploadResultSchema = z.strictObject({
  uploadId: z.string(),
  uploadUrl: z.string().meta({ description: "PUT the file's bytes here once, with exactly `headers`, before `expiresAt`" }),
  method: z.literal("PUT"),
  headers: z.record(z.string(), z.string()),
  expiresAt: z.string().datetime(),
});
