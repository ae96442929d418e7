// The Stripe client, with the API version pinned here and in the webhook endpoint's settings
// (payload shapes follow the endpoint's version, so fixtures and parsers are in this shape).
import Stripe from "stripe";
import type { Config } from "../../config";

export const STRIPE_API_VERSION = "2026-10-28.endive" as const;

let cached: { key: string; client: Stripe } | undefined;

/** STRIPE_API_BASE (tests: a local stand-in for Stripe's API) moves host, port and protocol. */
export function stripeClient(cfg: Pick<Config, "STRIPE_SECRET_KEY" | "STRIPE_API_BASE">): Stripe {
  const key = `${cfg.STRIPE_SECRET_KEY}|${cfg.STRIPE_API_BASE ?? ""}`;
  if (cached?.key === key) return cached.client;
  const base = cfg.STRIPE_API_BASE ? new URL(cfg.STRIPE_API_BASE) : null;
  const client = new Stripe(cfg.STRIPE_SECRET_KEY, {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: 1,
    ...(base ? { host: base.hostname, port: Number(base.port || (base.protocol === "https:" ? 443 : 80)), protocol: base.protocol.replace(":", "") as "http" | "https" } : {}),
  });
  cached = { key, client };
  return client;
}

/** Signature checks need no API key; they never touch the network. */
export const webhooks = () => Stripe.webhooks;
