import { createHash } from "node:crypto";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** A retried create with the same key maps to the same document, so it can never charge twice. */
export function requestIdFor(uid: string, idempotencyKey: string): string {
  return `r_${sha256(`${uid}\u0000${idempotencyKey}`).slice(0, 32)}`;
}

/** Stable fingerprint of what was asked for; a reused key with other parameters is refused. */
export function paramsHash(params: Record<string, unknown>): string {
  const keys = Object.keys(params).sort();
  return sha256(JSON.stringify(keys.map((k) => [k, params[k] ?? null])));
}
