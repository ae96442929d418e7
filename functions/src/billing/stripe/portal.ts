// POST createPortalSession → {url}: Stripe's customer portal for the caller's subscription, where
// they change or cancel their plan; the portal's changes come back as subscription webhooks. The
// customer is the one Stripe has on the subscription (we keep the subscription id, not a customer).
import { z } from "zod";
import { config } from "../../config";
import { endpoint } from "../../http/endpoint";
import { ApiError } from "../../http/errors";
import { parseInput } from "../../http/validate";
import { firestore } from "../../shared/firestore";
import { planOf } from "../userPlan";
import { stripeClient } from "./client";

export const portalSchema = () => z.strictObject({});
export const portalResultSchema = z.strictObject({ url: z.string().url() });

export const createPortalSession = endpoint({
  name: "createPortalSession", method: "POST", access: "user",
  summary: "A Stripe customer portal session for your subscription (change or cancel the plan); the client redirects to `url`",
  input: portalSchema, output: () => portalResultSchema, errors: ["FAILED_PRECONDITION"],
}, async ({ caller, body }) => {
  parseInput(portalSchema(), body ?? {});
  const cfg = config();
  const user = await firestore().doc(`users/${caller.uid}`).get();
  const plan = planOf(user.data());
  if (plan.source !== "stripe" || !plan.subscriptionId) throw new ApiError("FAILED_PRECONDITION", "you have no Stripe subscription to manage; subscribe to a plan first");
  const stripe = stripeClient(cfg);
  const sub = await stripe.subscriptions.retrieve(plan.subscriptionId);
  const customer = typeof sub.customer === "string" ? sub.customer : sub.customer.id;
  const session = await stripe.billingPortal.sessions.create({ customer, return_url: cfg.PORTAL_RETURN_URL });
  return { body: { url: session.url } };
});
