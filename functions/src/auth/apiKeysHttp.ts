// API key management (admins only; keys themselves can never manage keys). The plain key is in
// the create answer and nowhere else.
import { config } from "../config";
import { endpoint } from "../http/endpoint";
import { ApiError } from "../http/errors";
import { parseInput } from "../http/validate";
import { actorOf } from "../audit/audit";
import { adminAuth, firestore } from "../shared/firestore";
import { createKey, listKeys, revokeKey } from "./apiKeyStore";
import { isAdmin } from "./caller";
import { orgAccess } from "../orgs/access";
import { createdKeySchema, createKeySchema, keyListSchema, listKeysQuerySchema, revokeKeySchema, revokeResultSchema } from "./apiKeySchemas";

export const createApiKey = endpoint({
  name: "createApiKey", method: "POST", access: "user",
  summary: "Create an API key for a user (admins) or for an organisation (its owners and admins); the plain key is in this answer only",
  input: () => createKeySchema, output: () => createdKeySchema, statuses: [201], errors: ["NOT_FOUND"],
}, async ({ caller, body }) => {
  const input = parseInput(createKeySchema, body);
  // An organisation's key is made by its owners and admins and named after its maker; any other key by a platform admin.
  if (input.orgId) await orgAccess(firestore(), caller, input.orgId, "keys");
  else if (!isAdmin(caller)) throw new ApiError("PERMISSION_DENIED", "admin role required (or name an orgId you manage)");
  const userId = input.orgId ? caller.uid : input.userId!;
  await adminAuth().getUser(userId).catch(() => {
    throw new ApiError("NOT_FOUND", `user '${userId}' not found`);
  });
  const env = config().EMULATED ? "test" : "live";
  const created = await createKey(firestore(), env, { ...input, userId, orgId: input.orgId ?? null, expiresAt: input.expiresAt ? new Date(input.expiresAt) : null }, actorOf(caller));
  return { status: 201, body: { ...created, note: "store this key now: it is not shown again" } };
});

export const listApiKeys = endpoint({
  name: "listApiKeys", method: "GET", access: "admin",
  summary: "A user's API keys (never the keys themselves), newest first",
  input: () => listKeysQuerySchema, output: () => keyListSchema,
}, async ({ query }) => {
  const { userId } = parseInput(listKeysQuerySchema, query, "query");
  return { body: { keys: await listKeys(firestore(), userId) } };
});

export const revokeApiKey = endpoint({
  name: "revokeApiKey", method: "POST", access: "admin",
  summary: "Revoke an API key from the next call on (idempotent); audited",
  input: () => revokeKeySchema, output: () => revokeResultSchema, errors: ["NOT_FOUND"],
}, async ({ caller, body }) => {
  const input = parseInput(revokeKeySchema, body);
  return { body: await revokeKey(firestore(), input.keyId, actorOf(caller), input.reason ?? null) };
});
