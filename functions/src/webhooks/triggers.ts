// Completion webhooks: the request trigger (requests/trigger.ts) notices the move to a terminal
// status and enqueues one task-queue task; the task function delivers it with retries. The request's own completion never
// waits on a receiver. Also the owner's endpoints to read and rotate the signing secret.
import type { DocumentSnapshot } from "firebase-admin/firestore";
import { getFunctions } from "firebase-admin/functions";
import { onTaskDispatched } from "firebase-functions/v2/tasks";
import { HttpsError } from "firebase-functions/v2/https";
import { z } from "zod";
import { docId } from "../http/ids";
import { targetUser } from "../auth/caller";
import { endpoint } from "../http/endpoint";
import { parseInput } from "../http/validate";
import { TERMINAL } from "../ledger/types";
import { adminApp, firestore } from "../shared/firestore";
import { log } from "../shared/log";
import { deliverWebhook as deliver, deliveryIdFor, MODEL_WEBHOOK_STATUSES, RetryableDeliveryError, type WebhookTask } from "./deliver";
import { rotateWebhookSecret as rotate, webhookSecret, type WebhookSecret } from "./secret";
import { config } from "../config";

const REGION = "us-central1";

/**
 * Retry schedule of the delivery queue, read at definition time because it is deployed with the
 * function (a `defineInt` param would make the emulator prompt). Defaults: 5 s doubling up to
 * 10 min, 10 attempts (about an hour in all). Override in functions/.env: firebase-tools passes
 * only those files (not the shell's env) to the discovery that registers the queue.
 */
export function webhookRetryConfig(env: NodeJS.ProcessEnv = process.env) {
  const num = (name: string, def: number) => (env[name] && Number.isFinite(Number(env[name])) ? Number(env[name]) : def);
  return {
    maxAttempts: num("WEBHOOK_MAX_ATTEMPTS", 10),
    minBackoffSeconds: num("WEBHOOK_MIN_BACKOFF_SECONDS", 5),
    maxBackoffSeconds: num("WEBHOOK_MAX_BACKOFF_SECONDS", 600),
    maxDoublings: num("WEBHOOK_MAX_DOUBLINGS", 7),
  };
}

const taskSchema = z.strictObject({ requestId: z.string().min(1).max(1500), deliveryId: z.string().regex(/^[A-Za-z0-9_-]{1,500}$/), kind: z.literal("train").optional() });

export const deliverWebhook = onTaskDispatched<WebhookTask>(
  { region: REGION, retryConfig: webhookRetryConfig(), rateLimits: { maxConcurrentDispatches: 20 }, timeoutSeconds: 60 },
  async (req) => {
    const task = taskSchema.safeParse(req.data);
    // A malformed task can never succeed: log it and let the queue drop it (2xx).
    if (!task.success) return void log.error("webhook task malformed", { data: req.data });
    try {
      await deliver(firestore(), task.data, req.retryCount ?? 0);
    } catch (err) {
      if (err instanceof RetryableDeliveryError) {
        log.warn("webhook attempt failed; will retry", { ...req.data, retryCount: req.retryCount, reason: err.message });
        throw new HttpsError("unavailable", err.message);
      }
      throw err;
    }
  },
);

export async function enqueueWebhook(requestId: string, status: string, kind?: "train"): Promise<void> {
  const deliveryId = deliveryIdFor(requestId, status);
  const queue = getFunctions(adminApp()).taskQueue<WebhookTask>(`locations/${REGION}/functions/deliverWebhook`);
  try {
    await queue.enqueue({ requestId, deliveryId, ...(kind ? { kind } : {}) }, { id: deliveryId, dispatchDeadlineSeconds: 60 });
  } catch (err) {
    // A redelivered trigger event enqueues the same id: already queued (or sent) is success.
    if ((err as { code?: string }).code !== "functions/task-already-exists") throw err;
  }
}

/** On the move into a terminal status, enqueue the completion webhook (if the request has one). */
export async function enqueueWebhookOnUpdate(before: DocumentSnapshot | undefined, after: DocumentSnapshot, kind?: "train"): Promise<void> {
  if (!after.get("webhookUrl")) return;
  const status = after.get("status") as string;
  const fires = kind === "train" ? MODEL_WEBHOOK_STATUSES : TERMINAL;
  if (!fires.has(status) || fires.has(before?.get("status"))) return;
  await enqueueWebhook(after.id, status, kind);
}

export const webhookUserSchema = z.strictObject({ userId: docId.optional() });

export const webhookSecretSchema = z.strictObject({
  secret: z.string(),
  algorithm: z.string(),
  createdAt: z.string().datetime(),
  rotatedAt: z.string().datetime().nullable(),
  previousSecretValidUntil: z.string().datetime().nullable().meta({ description: "after a rotation, deliveries also carry a signature with the previous secret until then" }),
});

const secretView = (s: WebhookSecret) => ({
  secret: s.secret,
  algorithm: "HMAC-SHA256 over `${timestamp}.${body}`, header X-Imagegen-Signature: t=<timestamp>,v1=<hex>[,v1=<hex>]; accept if any v1 matches",
  createdAt: s.createdAt.toISOString(),
  rotatedAt: s.rotatedAt?.toISOString() ?? null,
  // The old secret itself is never shown again; only how long deliveries still carry its signature.
  previousSecretValidUntil: s.previous && s.previous.expiresAt > new Date() ? s.previous.expiresAt.toISOString() : null,
});

export const getWebhookSecret = endpoint({
  name: "getWebhookSecret", method: "GET", access: "user", scope: "webhooks",
  summary: "The HMAC secret your completion webhooks are signed with (created on first use)",
  input: () => webhookUserSchema, output: () => webhookSecretSchema,
}, async ({ caller, query }) => {
  const { userId } = parseInput(webhookUserSchema, query, "query");
  return { body: secretView(await webhookSecret(firestore(), targetUser(caller, userId))) };
});

export const rotateWebhookSecret = endpoint({
  name: "rotateWebhookSecret", method: "POST", access: "user", scope: "webhooks",
  summary: "Replace the webhook signing secret; deliveries carry the old one's signature too for a stated overlap",
  input: () => webhookUserSchema, output: () => webhookSecretSchema,
}, async ({ caller, body }) => {
  const { userId } = parseInput(webhookUserSchema, body ?? {});
  return { body: secretView(await rotate(firestore(), targetUser(caller, userId), config().WEBHOOK_SECRET_OVERLAP_SECONDS)) };
});
