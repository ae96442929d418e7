// POST stripeWebhook: Stripe's signature on the raw body, then the business fact. 400 for a bad
// signature, a tampered body or a stale timestamp (nothing happens); 200 for what we deliberately
// ignore (unknown customers, event types we do not use, an event whose livemode differs from the
// API key's mode: logged); 500 for anything else, so Stripe
// retries (every fact is idempotent, so a retry of a half-seen event is safe).
import { onRequest } from "firebase-functions/v2/https";
import { z } from "zod";
import type Stripe from "stripe";
import { config } from "../../config";
import type { DescribedFunction } from "../../http/endpoint";
import { adminAuth, firestore } from "../../shared/firestore";
import { errorFields, log } from "../../shared/log";
import { modeMismatch, webhooks } from "./client";
import { ErasedAccountEvent, ignoreIfErased } from "./erased";
import { invoiceFinder } from "./invoicePayments";
import { event as eventSchema } from "./payloads";
import { routeEvent } from "./route";

export const stripeWebhookReplySchema = z.strictObject({ received: z.literal(true), outcome: z.string() });

async function userExists(uid: string): Promise<boolean> {
  const doc = await firestore().doc(`users/${uid}`).get();
  ignoreIfErased(doc);
  return doc.exists || adminAuth().getUser(uid).then(() => true, () => false);
}

export const stripeWebhook: DescribedFunction = Object.assign(
  onRequest(async (req, res) => {
    if (req.method !== "POST") {
      res.status(405).json({ error: { code: "METHOD_NOT_ALLOWED", message: "stripeWebhook accepts POST only" } });
      return;
    }
    let ev: Stripe.Event;
    try {
      ev = webhooks().constructEvent(req.rawBody, String(req.get("stripe-signature") ?? ""), config().STRIPE_WEBHOOK_SECRET);
    } catch (err) {
      log.warn("stripe webhook refused", { error: String((err as Error).message) });
      res.status(400).json({ error: { code: "INVALID_ARGUMENT", message: "invalid Stripe signature" } });
      return;
    }
    try {
      const parsed = eventSchema.parse(ev);
      const mismatch = modeMismatch(parsed.livemode, config().STRIPE_SECRET_KEY);
      const outcome = mismatch ? { ignored: mismatch } : await routeEvent(firestore(), parsed, userExists, invoiceFinder(config()));
      log.info("stripe event", { eventId: ev.id, type: ev.type, ...outcome });
      res.status(200).json({ received: true, outcome: "handled" in outcome ? outcome.handled : `ignored: ${outcome.ignored}` });
    } catch (err) {
      if (err instanceof ErasedAccountEvent) {
        log.info("stripe event", { eventId: ev.id, type: ev.type, ignored: err.message, uid: err.uid });
        res.status(200).json({ received: true, outcome: `ignored: ${err.message}` });
        return;
      }
      log.error("stripe event failed", { eventId: ev.id, type: ev.type, ...errorFields(err) });
      res.status(500).json({ error: { code: "INTERNAL", message: "event not processed; Stripe will retry" } });
    }
  }),
  { spec: { name: "stripeWebhook", method: "POST" as const, access: "public" as const, summary: "Stripe's webhook (signature on the raw body): pack purchases, subscription invoices and changes, refunds and disputes", output: () => stripeWebhookReplySchema } },
);
