// Webhook signatures, Stripe-style: `X-Imagegen-Signature: t=<unix seconds>,v1=<hex>` where
// v1 = HMAC-SHA256(secret, "<t>.<raw body>"). Signing the timestamp with the body lets a receiver
// refuse replays of an old delivery; several v1 entries may appear while a secret is rotated.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "X-Imagegen-Signature";
export const DELIVERY_HEADER = "X-Imagegen-Delivery";

export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/** One `v1` per secret (the current one first): during a rotation's overlap, both verify. */
export function signatureHeader(secrets: string | string[], timestamp: number, body: string): string {
  const list = Array.isArray(secrets) ? secrets : [secrets];
  return [`t=${timestamp}`, ...list.map((s) => `v1=${signatureOf(s, timestamp, body)}`)].join(",");
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; why: "malformed" | "stale" | "mismatch" };

/** What a receiver runs on the raw body (before any JSON parsing). */
export function verifySignature(secret: string, header: string | undefined, body: string, nowSeconds: number, toleranceSeconds = 300): VerifyResult {
  if (!header) return { ok: false, why: "malformed" };
  const parts = header.split(",").map((p) => p.trim().split("=", 2) as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === "t")?.[1]);
  const candidates = parts.filter(([k, v]) => k === "v1" && v && /^[0-9a-f]{64}$/.test(v)).map(([, v]) => Buffer.from(v!, "hex"));
  if (!Number.isInteger(t) || candidates.length === 0) return { ok: false, why: "malformed" };
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return { ok: false, why: "stale" };
  const expected = Buffer.from(signatureOf(secret, t, body), "hex");
  return candidates.some((c) => timingSafeEqual(c, expected)) ? { ok: true, timestamp: t } : { ok: false, why: "mismatch" };
}
