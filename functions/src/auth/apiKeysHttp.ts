// API key management (admins only; keys themselves can never manage keys). The plain key is in
// the create answer and nowhere else.
import { z } from "zod";
import { docId } from "../http/ids";
import { config } from "../config";
import { endpoint } from "../http/endpoint";
import { ApiError } from "../http/errors";
import { parseInput } from "../http/validate";
import { actorOf } from "../audit/audit";
import { adminAuth, firestore } from "../shared/firestore";
import { DEFAULT_KEY_SCOPES, KEY_SCOPES } from "./apiKeys";
import { createKey, listKeys, revokeKey } from "./apiKeyStore";

const MAX_KEY_DAYS = 3650;

// The expiry refinements read the clock when a body is parsed, so one schema serves every call.
const createSchema = z.strictObject({
  userId: docId,
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(KEY_SCOPES)).min(1).max(KEY_SCOPES.length).refine((s) => new Set(s).size === s.length, "must not repeat a scope").default([...DEFAULT_KEY_SCOPES]),
  expiresAt: z.string().datetime({ offset: true }).optional()
    .refine((s) => !s || Date.parse(s) > Date.now(), "must be in the future")
    .refine((s) => !s || Date.parse(s) < Date.now() + MAX_KEY_DAYS * 86_400_000, `must be within ${MAX_KEY_DAYS} days`),
  dailyQuota: z.number().int().min(1).max(1_000_000).nullable().default(null),
  ratePerMinute: z.number().int().min(1).max(10_000).nullable().default(null),
  maxConcurrentCreates: z.number().int().min(1).max(1000).nullable().default(null),
});

export const createApiKey = endpoint({ name: "createApiKey", method: "POST", access: "admin" }, async ({ caller, body }) => {
  const input = parseInput(createSchema, body);
  await adminAuth().getUser(input.userId).catch(() => {
    throw new ApiError("NOT_FOUND", `user '${input.userId}' not found`);
  });
  const env = config().EMULATED ? "test" : "live";
  const created = await createKey(firestore(), env, { ...input, expiresAt: input.expiresAt ? new Date(input.expiresAt) : null }, actorOf(caller));
  return { status: 201, body: { ...created, note: "store this key now: it is not shown again" } };
});

export const listApiKeys = endpoint({ name: "listApiKeys", method: "GET", access: "admin" }, async ({ query }) => {
  const { userId } = parseInput(z.strictObject({ userId: docId }), query, "query");
  return { body: { keys: await listKeys(firestore(), userId) } };
});

export const revokeApiKey = endpoint({ name: "revokeApiKey", method: "POST", access: "admin" }, async ({ caller, body }) => {
  const input = parseInput(z.strictObject({ keyId: z.string().regex(/^[0-9a-f]{16}$/, "must be a keyId from createApiKey"), reason: z.string().trim().max(500).optional() }), body);
  return { body: await revokeKey(firestore(), input.keyId, actorOf(caller), input.reason ?? null) };
});
