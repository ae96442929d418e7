import { z } from "zod";
import { config } from "../config";
import { endpoint } from "../http/endpoint";
import { parseInput } from "../http/validate";
import { targetUser } from "../auth/caller";
import { firestore } from "../shared/firestore";
import { storage } from "../storage/storage";
import { createGenerationRequest as create } from "./create";
import { createGenerationRequests as createBatch } from "./createBatch";
import { cancelRequest } from "./cancel";
import { listRequests, readOwnRequest } from "./queries";
import { cancelSchema, getSchema, pageQuerySchema, REQUEST_STATUSES } from "./schema";
import { detailView, summaryView } from "./view";

// Input images travel inside the JSON body; 2nd-gen functions accept up to 32 MB requests.
const bigBody = { memory: "1GiB" as const, timeoutSeconds: 60 };

export const createGenerationRequest = endpoint({ name: "createGenerationRequest", method: "POST", access: "user", scope: "generate", options: bigBody }, async ({ caller, body }) => {
  const { replayed, ...result } = await create(firestore(), caller, body);
  return { status: replayed ? 200 : 201, body: { ...result, replayed } };
});

// Per-item outcomes in order; 200 whenever the envelope is valid (see createBatch.ts).
export const createGenerationRequests = endpoint({ name: "createGenerationRequests", method: "POST", access: "user", scope: "generate", options: bigBody }, async ({ caller, body }) => ({
  body: await createBatch(firestore(), caller, body),
}));

export const getGenerationRequest = endpoint({ name: "getGenerationRequest", method: "GET", access: "user", scope: "read" }, async ({ caller, query }) => {
  const { id } = parseInput(getSchema, query, "query");
  const doc = await readOwnRequest(firestore(), caller, id);
  return { body: await detailView(doc, storage(), config().SIGNED_URL_TTL_SECONDS) };
});

export const listGenerationRequests = endpoint({ name: "listGenerationRequests", method: "GET", access: "user", scope: "read" }, async ({ caller, query }) => {
  const schema = z.strictObject({ ...pageQuerySchema(config()), status: z.enum(REQUEST_STATUSES).optional() });
  const q = parseInput(schema, query, "query");
  const { docs, nextCursor } = await listRequests(firestore(), targetUser(caller, q.userId), q);
  return { body: { requests: docs.map(summaryView), nextCursor } };
});

export const cancelGenerationRequest = endpoint({ name: "cancelGenerationRequest", method: "POST", access: "user", scope: "generate" }, async ({ caller, body }) => {
  const { id } = parseInput(cancelSchema, body);
  return { body: await cancelRequest(firestore(), caller, id) };
});
