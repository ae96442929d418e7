// One webhook delivery attempt. At-least-once: the task queue retries any throw with backoff;
// the event id (also the X-Imagegen-Delivery header) stays the same across attempts so receivers
// can dedupe, while the signature timestamp is fresh on each attempt.
import type { DocumentSnapshot, Firestore } from "firebase-admin/firestore";
import { FieldValue } from "firebase-admin/firestore";
import { config } from "../config";
import { TERMINAL, TERMINAL_REFUNDABLE } from "../ledger/types";
import { summaryView } from "../requests/view";
import { modelView } from "../models/view";
import { checkWebhookUrl } from "../requests/webhookUrl";
import { log } from "../shared/log";
import { signingSecrets, webhookSecret } from "./secret";
import { EgressRefused, postOut } from "./egress";
import { DELIVERY_HEADER, SIGNATURE_HEADER, signatureHeader } from "./signature";

export interface WebhookTask {
  /** The job's id: a generation request's or (kind "train") a custom model's. */
  requestId: string;
  deliveryId: string;
  kind?: "train";
}

/** Statuses a custom model's webhook fires for (a generation request's: TERMINAL). */
export const MODEL_WEBHOOK_STATUSES = new Set(["ready", "failed", "cancelled"]);

/** One delivery per request and terminal status; also the task id, so re-enqueues dedupe. */
export const deliveryIdFor = (requestId: string, status: string) => `whd-${requestId}-${status}`;

const TIMEOUT_MS = 10_000;
const MAX_ANSWER_BYTES = 64 * 1024;
/** A failed job's event should say "refunded"; wait a few attempts for the refund trigger. */
const REFUND_WAIT_ATTEMPTS = 3;

export class RetryableDeliveryError extends Error {}

export function webhookEvent(doc: DocumentSnapshot, deliveryId: string, kind?: "train") {
  const view = kind === "train" ? modelView(doc) : summaryView(doc);
  return { id: deliveryId, type: `${kind === "train" ? "customModel" : "generation"}.${view.status}`, data: view };
}

export async function deliverWebhook(db: Firestore, task: WebhookTask, retryCount: number, nowMs = Date.now()): Promise<"delivered" | "skipped"> {
  const doc = await db.doc(`${task.kind === "train" ? "customModels" : "generationRequests"}/${task.requestId}`).get();
  const url = doc.get("webhookUrl") as string | null | undefined;
  const status = doc.get("status") as string | undefined;
  const fires = task.kind === "train" ? MODEL_WEBHOOK_STATUSES : TERMINAL;
  if (!doc.exists || !url || !status || !fires.has(status)) return skipped(task, "no terminal job with a webhookUrl");
  if (TERMINAL_REFUNDABLE.has(status) && doc.get("refunded") !== true && retryCount < REFUND_WAIT_ATTEMPTS) {
    throw new RetryableDeliveryError("refund not recorded yet");
  }
  try {
    checkWebhookUrl(url, config().EMULATED);
  } catch {
    return skipped(task, "webhookUrl not allowed here");
  }
  const secrets = signingSecrets(await webhookSecret(db, doc.get("userId")), new Date(nowMs));
  const body = JSON.stringify(webhookEvent(doc, task.deliveryId, task.kind));
  const timestamp = Math.floor(nowMs / 1000);
  let statusCode = 0;
  let failure: string | null = null;
  try {
    const res = await postOut(url, {
      "content-type": "application/json", "user-agent": "imagegen-webhooks/1", [DELIVERY_HEADER]: task.deliveryId, [SIGNATURE_HEADER]: signatureHeader(secrets, timestamp, body),
    }, body, { allowPrivate: config().EMULATED, timeoutMs: TIMEOUT_MS, maxBodyBytes: MAX_ANSWER_BYTES });
    statusCode = res.status;
    // Redirects are not followed: the signed body must go only where the owner pointed it.
    if (statusCode < 200 || statusCode >= 300) failure = `receiver answered ${statusCode}`;
  } catch (err) {
    failure = err instanceof EgressRefused ? `refused: ${err.message}` : `request failed: ${(err as Error).message}`;
  }
  await record(db, task, doc, statusCode, failure);
  if (failure) throw new RetryableDeliveryError(failure);
  log.info("webhook delivered", { requestId: task.requestId, deliveryId: task.deliveryId, status: statusCode, retryCount });
  return "delivered";
}

/** Delivery log in its own collection, so it never re-fires the request's update triggers. */
function record(db: Firestore, task: WebhookTask, doc: DocumentSnapshot, status: number, failure: string | null) {
  const now = new Date();
  return db.doc(`webhookDeliveries/${task.deliveryId}`).set({
    requestId: task.requestId,
    userId: doc.get("userId"),
    url: doc.get("webhookUrl"),
    attempts: FieldValue.increment(1),
    lastStatus: status,
    lastError: failure,
    ...(failure ? {} : { deliveredAt: now }),
    updatedAt: now,
  }, { merge: true });
}

function skipped(task: WebhookTask, why: string): "skipped" {
  log.info("webhook skipped", { ...task, why });
  return "skipped";
}
