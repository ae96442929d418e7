// API key management: users make, list and revoke their own keys (capped by their plan); admins
// do it for any user. Keys themselves can never manage keys (no scope: ID tokens only). The
// plain key is in the create answer and nowhere else.
import { config } from "../config";
import { endpoint } from "../http/endpoint";
import { ApiError } from "../http/errors";
import { parseInput } from "../http/validate";
import { actorOf } from "../audit/audit";
import { adminAuth, firestore } from "../shared/firestore";
import { createKey, listKeys, revokeKey } from "./apiKeyStore";
import { isAdmin, targetUser } from "./caller";
import { createOwnKey } from "./ownKeys";
import { orgAccess } from "../orgs/access";
import { createdKeySchema, createKeySchema, keyListSchema, listKeysQuerySchema, revokeKeySchema, revokeResultSchema } from "./apiKeySchemas";

export const createApiKey = endpoint({
  name: "createApiKey", method: "POST", access: "user",
  summary: "Create an API key for yourself (capped by your plan), for an organisation (its owners and admins) or, as an admin, for a user; the plain key is in this answer only",
  input: () => createKeySchema, output: () => createdKeySchema, statuses: [201], errors: ["NOT_FOUND", "FAILED_PRECONDITION"],
}, async ({ caller, body }) => {
  const input = parseInput(createKeySchema, body);
  const env = config().EMULATED ? "test" : "live";
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  let created;
  if (input.orgId) {
    // An organisation's key is made by its owners and admins and named after its maker.
    await orgAccess(firestore(), caller, input.orgId, "keys");
    created = await createKey(firestore(), env, { ...input, userId: caller.uid, orgId: input.orgId, expiresAt }, actorOf(caller));
  } else if (input.userId && input.userId !== caller.uid) {
    const uid = targetUser(caller, input.userId);
    await adminAuth().getUser(uid).catch(() => {
      throw new ApiError("NOT_FOUND", `user '${uid}' not found`);
    });
    created = await createKey(firestore(), env, { ...input, userId: uid, orgId: null, expiresAt }, actorOf(caller));
  } else {
    created = await createOwnKey(firestore(), env, { ...input, userId: caller.uid, orgId: null, expiresAt }, actorOf(caller), config().MAX_CONCURRENT_CREATES_PER_KEY);
  }
  return { status: 201, body: { ...created, note: "store this key now: it is not shown again" } };
});

export const listApiKeys = endpoint({
  name: "listApiKeys", method: "GET", access: "user",
  summary: "Your API keys, or as an admin a user's (never the keys themselves), newest first",
  input: () => listKeysQuerySchema, output: () => keyListSchema,
}, async ({ caller, query }) => {
  const { userId } = parseInput(listKeysQuerySchema, query, "query");
  return { body: { keys: await listKeys(firestore(), targetUser(caller, userId)) } };
});

export const revokeApiKey = endpoint({
  name: "revokeApiKey", method: "POST", access: "user",
  summary: "Revoke one of your API keys (admins: anyone's) from the next call on (idempotent); audited",
  input: () => revokeKeySchema, output: () => revokeResultSchema, errors: ["NOT_FOUND"],
}, async ({ caller, body }) => {
  const input = parseInput(revokeKeySchema, body);
  return { body: await revokeKey(firestore(), input.keyId, actorOf(caller), input.reason ?? null, isAdmin(caller) ? undefined : caller.uid) };
});
