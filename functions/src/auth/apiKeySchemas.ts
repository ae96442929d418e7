// What the API key endpoints accept and answer (the OpenAPI document reads these too).
import { z } from "zod";
import { docId } from "../http/ids";
import { DEFAULT_KEY_SCOPES, KEY_SCOPES } from "./apiKeys";

const MAX_KEY_DAYS = 3650;
const userId = docId;

// The expiry refinements read the clock when a body is parsed, so one schema serves every call.
export const createKeySchema = z.strictObject({
  userId: userId.optional().meta({ description: "admins: the user the key is for (not capped by their plan); omitted (and no orgId): a key for yourself, capped by your plan's keyLimits" }),
  orgId: docId.optional().meta({ description: "make a key that always acts for this organisation (its owners and admins)" }),
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(KEY_SCOPES)).min(1).max(KEY_SCOPES.length).refine((s) => new Set(s).size === s.length, "must not repeat a scope").default([...DEFAULT_KEY_SCOPES]),
  expiresAt: z.string().datetime({ offset: true }).optional()
    .refine((s) => !s || Date.parse(s) > Date.now(), "must be in the future")
    .refine((s) => !s || Date.parse(s) < Date.now() + MAX_KEY_DAYS * 86_400_000, `must be within ${MAX_KEY_DAYS} days`)
    .meta({ description: `in the future, within ${MAX_KEY_DAYS} days; no expiry when omitted` }),
  dailyQuota: z.number().int().min(1).max(1_000_000).nullable().default(null)
    .meta({ description: "paid creates per UTC day; for your own key at most the plan's cap, which it gets when omitted" }),
  ratePerMinute: z.number().int().min(1).max(10_000).nullable().default(null)
    .meta({ description: "creates per minute; for your own key at most the plan's cap, which it gets when omitted" }),
  maxConcurrentCreates: z.number().int().min(1).max(1000).nullable().default(null)
    .meta({ description: "create calls this key may have in progress on one instance; default MAX_CONCURRENT_CREATES_PER_KEY" }),
}).refine((b) => !(b.userId && b.orgId), { message: "give at most one of userId and orgId", path: ["userId"] });

export const listKeysQuerySchema = z.strictObject({ userId: userId.optional().meta({ description: "admins only: another user's keys; omitted: your own" }) });

export const revokeKeySchema = z.strictObject({
  keyId: z.string().regex(/^[0-9a-f]{16}$/, "must be a keyId from createApiKey"),
  reason: z.string().trim().max(500).optional(),
});

const isoTime = z.string().datetime();

export const apiKeySchema = z.strictObject({
  keyId: z.string(),
  prefix: z.string().meta({ description: "the public start of the key (sk_test_<keyId>), safe to show" }),
  name: z.string(),
  userId: z.string(),
  scopes: z.array(z.enum(KEY_SCOPES)),
  dailyQuota: z.number().int().nullable(),
  ratePerMinute: z.number().int().nullable(),
  maxConcurrentCreates: z.number().int().nullable(),
  expiresAt: isoTime.nullable(),
  createdAt: isoTime,
  revokedAt: isoTime.nullable(),
  lastUsedAt: isoTime.nullable(),
  createsToday: z.number().int().min(0).optional().meta({ description: "paid creates today (UTC), in listApiKeys" }),
}).meta({ id: "ApiKey" });

export const createdKeySchema = apiKeySchema.extend({
  key: z.string().meta({ description: "the plain key: shown in this answer only, store it now" }),
  note: z.string(),
});

export const keyListSchema = z.strictObject({ keys: z.array(apiKeySchema) });

export const revokeResultSchema = z.strictObject({ keyId: z.string(), revokedAt: isoTime, alreadyRevoked: z.boolean() });

export type ApiKeyReply = z.infer<typeof apiKeySchema>;
export type CreatedKeyReply = z.infer<typeof createdKeySchema>;
