import { createHmac, timingSafeEqual } from "node:crypto";

// Local-dev download URLs (docs/data-model.md): `/files/{path}?expires={unixSeconds}&sig={hex}`
// with sig = HMAC-SHA256(secret, path + "\n" + expires). The functions package signs the same way.

export function signPath(secret: string, storagePath: string, expires: number): string {
  return createHmac("sha256", secret).update(`${storagePath}\n${expires}`).digest("hex");
}

export function encodeStoragePath(storagePath: string): string {
  return storagePath.split("/").map(encodeURIComponent).join("/");
}

/** Absolute URL on the runner's file route, valid for `ttlSeconds` from `now`. */
export function signedFileUrl(baseUrl: string, secret: string, storagePath: string, ttlSeconds: number, now = Date.now()): string {
  const expires = Math.floor(now / 1000) + ttlSeconds;
  const sig = signPath(secret, storagePath, expires);
  return `${baseUrl.replace(/\/$/, "")}/files/${encodeStoragePath(storagePath)}?expires=${expires}&sig=${sig}`;
}

export type VerifyResult = { ok: true } | { ok: false; reason: "malformed" | "expired" | "bad-signature" };

export function verifySignature(secret: string, storagePath: string, expires: string | null, sig: string | null, now = Date.now()): VerifyResult {
  if (!expires || !sig || !/^\d{1,12}$/.test(expires) || !/^[0-9a-f]{64}$/.test(sig)) return { ok: false, reason: "malformed" };
  const expected = Buffer.from(signPath(secret, storagePath, Number(expires)), "hex");
  if (!timingSafeEqual(expected, Buffer.from(sig, "hex"))) return { ok: false, reason: "bad-signature" };
  if (Number(expires) * 1000 < now) return { ok: false, reason: "expired" };
  return { ok: true };
}

/** Storage paths are relative, slash-separated, and never climb out of their root. */
export function isSafeStoragePath(storagePath: string): boolean {
  if (!storagePath || storagePath.startsWith("/") || storagePath.includes("\\") || storagePath.includes("\0")) return false;
  return storagePath.split("/").every((seg) => seg !== "" && seg !== "." && seg !== "..");
}
