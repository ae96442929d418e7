import { config } from "../config";
import { targetUser } from "../auth/caller";
import { TRAIN } from "../dispatch/jobKinds";
import { endpoint } from "../http/endpoint";
import { parseInput } from "../http/validate";
import { cancelRequest } from "../requests/cancel";
import { firestore } from "../shared/firestore";
import { storage } from "../storage/storage";
import { createCustomModel as create } from "./create";
import { deleteCustomModel as remove } from "./delete";
import { listModels, readOwnModel } from "./queries";
import { cancelCustomModelResultSchema, createCustomModelResultSchema, createCustomModelSchema, customModelIdSchema, customModelListSchema, customModelSchema, deleteCustomModelResultSchema, listCustomModelsSchema } from "./schema";
import { modelView } from "./view";

// Inline training images travel in the JSON body; photos are decoded here before any charge.
const bigBody = { memory: "1GiB" as const, timeoutSeconds: 120 };

export const createCustomModel = endpoint({
  name: "createCustomModel", method: "POST", access: "user", scope: "generate", options: bigBody,
  summary: "Train a custom model (a LoRA) from 10-20 photos: every photo is checked, then the price is charged once and the training queued",
  input: createCustomModelSchema, output: () => createCustomModelResultSchema, statuses: [201, 200],
  errors: ["INSUFFICIENT_CREDITS", "FAILED_PRECONDITION", "PAYLOAD_TOO_LARGE", "RATE_LIMITED", "UNAVAILABLE"],
}, async ({ caller, body }) => {
  const result = await create(firestore(), caller, body);
  return { status: result.replayed ? 200 : 201, body: result };
});

export const getCustomModel = endpoint({
  name: "getCustomModel", method: "GET", access: "user", scope: "read",
  summary: "One custom model: status, training progress, charge",
  input: () => customModelIdSchema, output: () => customModelSchema, errors: ["NOT_FOUND"],
}, async ({ caller, query }) => {
  const { id } = parseInput(customModelIdSchema, query, "query");
  return { body: modelView(await readOwnModel(firestore(), caller, id)) };
});

export const listCustomModels = endpoint({
  name: "listCustomModels", method: "GET", access: "user", scope: "read",
  summary: "The caller's custom models (or, for an admin, a named user's), newest first, paged",
  input: listCustomModelsSchema, output: () => customModelListSchema,
}, async ({ caller, query }) => {
  const q = parseInput(listCustomModelsSchema(config()), query, "query");
  const { docs, nextCursor } = await listModels(firestore(), targetUser(caller, q.userId), q);
  return { body: { models: docs.map(modelView), nextCursor } };
});

export const cancelCustomModel = endpoint({
  name: "cancelCustomModel", method: "POST", access: "user", scope: "generate",
  summary: "Cancel a queued training run; its credits come back in the same answer (409 once training started)",
  input: () => customModelIdSchema, output: () => cancelCustomModelResultSchema, errors: ["NOT_FOUND", "FAILED_PRECONDITION"],
}, async ({ caller, body }) => {
  const { id } = parseInput(customModelIdSchema, body);
  return { body: await cancelRequest(firestore(), caller, id, TRAIN) };
});

export const deleteCustomModel = endpoint({
  name: "deleteCustomModel", method: "POST", access: "user", scope: "generate",
  summary: "Delete a custom model: its photos, its LoRA and every runner's copy; queued generations using it are refunded",
  input: () => customModelIdSchema, output: () => deleteCustomModelResultSchema, errors: ["NOT_FOUND"],
}, async ({ caller, body }) => {
  const { id } = parseInput(customModelIdSchema, body);
  return { body: await remove(firestore(), storage(), caller, id) };
});
