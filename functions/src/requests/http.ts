import { config } from "../config";
import { endpoint } from "../http/endpoint";
import { parseInput } from "../http/validate";
import { targetUser } from "../auth/caller";
import { firestore } from "../shared/firestore";
import { storage } from "../storage/storage";
import { createGenerationRequest as create } from "./create";
import { createGenerationRequests as createBatch } from "./createBatch";
import { cancelRequest } from "./cancel";
import { listRequests, orgListScope, readOwnRequest } from "./queries";
import { batchResultSchema, cancelResultSchema, cancelSchema, createBatchSchema, createRequestSchema, createResultSchema, getSchema, listQuerySchema, requestDetailSchema, requestListSchema, streamQuerySchema, streamReplySchema } from "./schema";
import { detailView, summaryView } from "./view";
import { queueFigures } from "../queue/queue";
import { streamRequest } from "./stream";

// Input images travel inside the JSON body; 2nd-gen functions accept up to 32 MB requests.
const bigBody = { memory: "1GiB" as const, timeoutSeconds: 60 };

export const createGenerationRequest = endpoint({
  name: "createGenerationRequest", method: "POST", access: "user", scope: "generate", options: bigBody,
  summary: "Create a generation request: validates against the catalog, charges the price once, queues the job",
  input: createRequestSchema, output: () => createResultSchema, statuses: [201, 200],
  errors: ["INSUFFICIENT_CREDITS", "FAILED_PRECONDITION", "RATE_LIMITED", "QUOTA_EXCEEDED", "PAYLOAD_TOO_LARGE", "UNAVAILABLE"],
}, async ({ caller, body }) => {
  const { replayed, ...result } = await create(firestore(), caller, body);
  return { status: replayed ? 200 : 201, body: { ...result, replayed } };
});

// Per-item outcomes in order; 200 whenever the envelope is valid (see createBatch.ts).
export const createGenerationRequests = endpoint({
  name: "createGenerationRequests", method: "POST", access: "user", scope: "generate", options: bigBody,
  summary: "Create up to 50 generation requests in one call: one commit per account, per-item results in order, each item exactly once",
  input: () => createBatchSchema, output: () => batchResultSchema, errors: ["RATE_LIMITED"],
}, async ({ caller, body }) => ({
  body: await createBatch(firestore(), caller, body),
}));

export const getGenerationRequest = endpoint({
  name: "getGenerationRequest", method: "GET", access: "user", scope: "read",
  summary: "One request as its owner sees it, with signed download URLs for its outputs",
  input: () => getSchema, output: () => requestDetailSchema, errors: ["NOT_FOUND"],
}, async ({ caller, query }) => {
  const { id } = parseInput(getSchema, query, "query");
  const doc = await readOwnRequest(firestore(), caller, id);
  const queue = await queueFigures(firestore(), [doc], config());
  return { body: { ...(await detailView(doc, storage(), config().SIGNED_URL_TTL_SECONDS)), queue: queue.get(doc.id) ?? null } };
});

export const listGenerationRequests = endpoint({
  name: "listGenerationRequests", method: "GET", access: "user", scope: "read",
  summary: "The caller's requests (or, for an admin, a named user's), newest first, paged",
  input: listQuerySchema, output: () => requestListSchema,
}, async ({ caller, query }) => {
  const q = parseInput(listQuerySchema(config()), query, "query");
  const scope = q.orgId ? await orgListScope(firestore(), caller, q.orgId) : { uid: targetUser(caller, q.userId) };
  const { docs, nextCursor } = await listRequests(firestore(), scope, q);
  const queue = await queueFigures(firestore(), docs, config());
  return { body: { requests: docs.map((d) => ({ ...summaryView(d), queue: queue.get(d.id) ?? null })), nextCursor } };
});

export const streamGenerationRequest = endpoint({
  name: "streamGenerationRequest", method: "GET", access: "user", scope: "read", options: { timeoutSeconds: 300 }, contentType: "text/event-stream",
  summary: "Follow one request live: status, queue position and ETA, progress and previews as server-sent events, ending with the final request",
  input: () => streamQuerySchema, output: () => streamReplySchema, errors: ["NOT_FOUND"],
}, async ({ caller, query, headers }) => {
  const { id, lastEventId } = parseInput(streamQuerySchema, query, "query");
  const doc = await readOwnRequest(firestore(), caller, id);
  const resumeFrom = lastEventId ?? (typeof headers["last-event-id"] === "string" ? headers["last-event-id"] : undefined);
  return { body: undefined, stream: (req, res) => streamRequest(firestore(), storage(), doc, resumeFrom, req, res, config()) };
});

export const cancelGenerationRequest = endpoint({
  name: "cancelGenerationRequest", method: "POST", access: "user", scope: "generate",
  summary: "Cancel a queued request; its credits come back in the same answer",
  input: () => cancelSchema, output: () => cancelResultSchema, errors: ["NOT_FOUND", "FAILED_PRECONDITION"],
}, async ({ caller, body }) => {
  const { id } = parseInput(cancelSchema, body);
  return { body: await cancelRequest(firestore(), caller, id) };
});
