// The lifecycle endpoints: delete a request, export a user's data, erase a user.
import { config } from "../config";
import { endpoint } from "../http/endpoint";
import { ApiError } from "../http/errors";
import { parseInput } from "../http/validate";
import { actorOf } from "../audit/audit";
import { targetUser } from "../auth/caller";
import { adminAuth, firestore } from "../shared/firestore";
import { storage } from "../storage/storage";
import { stripeClient } from "../billing/stripe/client";
import { assertMayErase } from "./access";
import { lifecycleConfig } from "./config";
import { deleteRequest } from "./deleteRequest";
import { runErasure, startErasure } from "./erasure";
import { exportPage } from "./export";
import { deleteRequestSchema, deleteResultSchema, eraseResultSchema, eraseSchema, exportPageSchema, exportQuerySchema } from "./schema";
import type { EraseContext } from "./steps/types";

export const deleteGenerationRequest = endpoint({
  name: "deleteGenerationRequest", method: "POST", access: "user", scope: "generate",
  summary: "Delete a finished request's outputs, input photo and prompt, leaving a tombstone the ledger still points at; idempotent",
  input: () => deleteRequestSchema, output: () => deleteResultSchema, errors: ["NOT_FOUND", "FAILED_PRECONDITION"],
}, async ({ caller, body }) => {
  const { id } = parseInput(deleteRequestSchema, body);
  return { body: await deleteRequest(firestore(), storage(), caller, id) };
});

// ID tokens only (no key scope): an export is everything the account holds.
export const exportUserData = endpoint({
  name: "exportUserData", method: "GET", access: "user",
  summary: "The caller's data (an admin: any user's) as pages: profile and API keys first, then requests with fresh download URLs, the ledger, webhook deliveries",
  input: () => exportQuerySchema(lifecycleConfig()), output: () => exportPageSchema, errors: ["PERMISSION_DENIED"],
}, async ({ caller, query }) => {
  const q = parseInput(exportQuerySchema(lifecycleConfig()), query, "query");
  const ctx = { db: firestore(), files: storage(), uid: targetUser(caller, q.userId), urlTtlSeconds: config().SIGNED_URL_TTL_SECONDS };
  return { body: await exportPage(ctx, q.cursor, q.limit) };
});

export const eraseUser = endpoint({
  name: "eraseUser", method: "POST", access: "user", options: { timeoutSeconds: 540 },
  summary: "Erase a user (superadmin, or the user with a fresh sign-in): refunds open work, revokes keys, disables sign-in, deletes files, scrubs content, keeps the ledger's amounts; resumable and idempotent",
  input: () => eraseSchema, output: () => eraseResultSchema, errors: ["NOT_FOUND", "PERMISSION_DENIED"],
}, async ({ caller, body, headers }) => {
  const input = parseInput(eraseSchema, body);
  const lc = lifecycleConfig();
  await assertMayErase(adminAuth(), caller, input.userId, headers.authorization, lc.ERASE_FRESH_SIGNIN_SECONDS);
  const db = firestore();
  const known = await adminAuth().getUser(input.userId).then(() => true, () => false);
  if (!known && !(await db.doc(`erasures/${input.userId}`).get()).exists) throw new ApiError("NOT_FOUND", `user '${input.userId}' not found`);
  await startErasure(db, input.userId, actorOf(caller), input.reason);
  return { body: await runErasure(eraseContext(input.userId)) };
});

export function eraseContext(uid: string): EraseContext {
  return { db: firestore(), auth: adminAuth(), billing: stripeClient(config()), files: storage(), uid, batchLimit: lifecycleConfig().RETENTION_BATCH_LIMIT, now: () => new Date() };
}
