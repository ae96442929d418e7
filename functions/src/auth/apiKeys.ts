import { createHash, randomBytes } from "node:crypto";

const PREFIX = "igk_";

/** A new plain key; shown to its owner once. Only its hash is stored. */
export function newApiKey(): string {
  return PREFIX + randomBytes(24).toString("base64url");
}

export function hashApiKey(plain: string): string {
  return createHash("sha256").update(plain).digest("hex");
}
