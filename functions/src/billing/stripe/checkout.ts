// POST createCheckoutSession {packId | planId} → {url}: a Checkout Session created server-side
// from the catalog's allow-listed prices (the client never names a price or an amount), carrying
// the uid as client_reference_id and in metadata (on the subscription too, so its invoices do).
import { z } from "zod";
import { config } from "../../config";
import { endpoint } from "../../http/endpoint";
import { ApiError } from "../../http/errors";
import { docId } from "../../http/ids";
import { parseInput } from "../../http/validate";
import { targetUser } from "../../auth/caller";
import { firestore } from "../../shared/firestore";
import { readPack, readPlan } from "../catalog";
import { stripeClient } from "./client";

export const checkoutSchema = () => z.strictObject({
  packId: docId.optional().meta({ description: "a credit pack: pack-100, pack-500" }),
  planId: docId.optional().meta({ description: "a paid plan: creator, pro, enterprise" }),
}).refine((b) => !!b.packId !== !!b.planId, "name exactly one of packId and planId");

export const checkoutResultSchema = z.strictObject({ url: z.string().url(), sessionId: z.string() });

export const createCheckoutSession = endpoint({
  name: "createCheckoutSession", method: "POST", access: "user",
  summary: "A Stripe Checkout Session for a pack or a plan; the client redirects to `url`",
  input: checkoutSchema, output: () => checkoutResultSchema, errors: ["NOT_FOUND", "FAILED_PRECONDITION"],
}, async ({ caller, body }) => {
  const input = parseInput(checkoutSchema(), body);
  const uid = targetUser(caller, undefined);
  const db = firestore();
  const cfg = config();
  const item = input.packId ? await readPack(db, input.packId) : await readPlan(db, input.planId!);
  if (!item.stripePriceId) throw new ApiError("FAILED_PRECONDITION", `'${item.id}' is not sold through Stripe`);
  const metadata = { uid, ...(input.packId ? { packId: input.packId } : { planId: input.planId! }) };
  const session = await stripeClient(cfg).checkout.sessions.create({
    mode: input.packId ? "payment" : "subscription",
    line_items: [{ price: item.stripePriceId, quantity: 1 }],
    client_reference_id: uid,
    metadata,
    ...(input.planId ? { subscription_data: { metadata } } : {}),
    success_url: cfg.CHECKOUT_SUCCESS_URL,
    cancel_url: cfg.CHECKOUT_CANCEL_URL,
  });
  if (!session.url) throw new ApiError("INTERNAL", "Stripe answered without a checkout url");
  return { body: { url: session.url, sessionId: session.id } };
});
