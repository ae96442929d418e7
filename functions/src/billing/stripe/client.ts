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

/** Whether a secret (or restricted) key is a live-mode key; test keys are `sk_test_`/`rk_test_`. */
export const isLiveKey = (key: string) => /^(sk|rk)_live_/.test(key);

/** Why an event of the other mode than our key is ignored (a test-mode endpoint secret beside a live key, or the reverse); null when the modes agree. */
export function modeMismatch(livemode: boolean, key: string): string | null {
  const live = isLiveKey(key);
  return livemode === live ? null : `livemode ${livemode} event, but the API key is a ${live ? "live" : "test"}-mode key`;
}

/** Signature checks need no API key; they never touch the network. */
export const webhooks = () => Stripe.webhooks;
