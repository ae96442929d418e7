// API key format and verification (pure). A key reads `sk_<env>_<keyId>_<secret>`:
// - keyId (16 hex) is public; it is the document id, so finding a key is one point read;
// - secret (32 random bytes, base64url) is never stored; only SHA-256(key) is, and it is compared
//   in constant time. A fast hash is right here: the secret has 256 bits of entropy, so there is
//   nothing for a slow password hash to protect against.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** `webhooks` reads and rotates the webhook signing secret: more than `read`, since whoever holds the secret can forge our deliveries. */
export const KEY_SCOPES = ["generate", "read", "webhooks"] as const;
/** What a key gets when its creator names no scopes: everything but the webhook secret. */
export const DEFAULT_KEY_SCOPES = ["generate", "read"] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];
export type KeyEnv = "live" | "test";

const KEY_RE = /^sk_(live|test)_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface ParsedKey { env: KeyEnv; keyId: string; plain: string }

export function newApiKey(env: KeyEnv): { plain: string; keyId: string; prefix: string } {
  const keyId = randomBytes(8).toString("hex");
  const prefix = `sk_${env}_${keyId}`;
  return { plain: `${prefix}_${randomBytes(32).toString("base64url")}`, keyId, prefix };
}

export function parseApiKey(plain: string): ParsedKey | null {
  const m = KEY_RE.exec(plain);
  return m ? { env: m[1] as KeyEnv, keyId: m[2], plain } : null;
}

export function hashApiKey(plain: string): string {
  return createHash("sha256").update(plain).digest("hex");
}

export function hashMatches(plain: string, storedHex: string): boolean {
  const stored = Buffer.from(storedHex, "hex");
  const actual = createHash("sha256").update(plain).digest();
  return stored.length === actual.length && timingSafeEqual(stored, actual);
}

/** What the stored key document says about a presented key, in the order a client should fix them. */
export type KeyRefusal = "API_KEY_REVOKED" | "API_KEY_EXPIRED";

export function keyRefusal(key: { revokedAt: Date | null; expiresAt: Date | null }, now: Date): KeyRefusal | null {
  if (key.revokedAt) return "API_KEY_REVOKED";
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return "API_KEY_EXPIRED";
  return null;
}

/** lastUsedAt is refreshed at most this often, so a busy key costs no write per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export const lastUsedIsStale = (lastUsedAt: Date | null, now: Date) => !lastUsedAt || now.getTime() - lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS;
