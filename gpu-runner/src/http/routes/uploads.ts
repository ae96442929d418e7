// PUT /files/uploads/{uid}/{uploadId}?expires=&bytes=&sig=: the emulator's stand-in for a V4
// signed PUT URL on Cloud Storage (functions/src/storage/storage.ts signs it). Same checks as
// production: the signature binds method, path, content type and exact length; it expires; and
// it works once (the object must not exist yet; Cloud Storage's `x-goog-if-generation-match: 0`
// answers 412 the same way). Self-contained: it needs only the local storage root and the secret.
import { createHmac, timingSafeEqual } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLarge, readBody, sendJson } from "../../shared/http-util";
import { isSafeStoragePath } from "../../storage";
import type { RunnerContext } from "../context";

const UPLOADS_PREFIX = "uploads/";

export function signUpload(secret: string, storagePath: string, contentType: string, bytes: number, expires: number): string {
  return createHmac("sha256", secret).update(`PUT\n${storagePath}\n${contentType}\n${bytes}\n${expires}`).digest("hex");
}

type Check = { ok: true; bytes: number } | { ok: false; status: number; code: string; message: string };

/** Everything decidable before reading the body: pure, so it is unit-tested. */
export function checkUpload(secret: string, storagePath: string, q: URLSearchParams, headers: { contentType?: string; contentLength?: string }, now = Date.now()): Check {
  const deny = (status: number, code: string, message: string): Check => ({ ok: false, status, code, message });
  if (!storagePath.startsWith(UPLOADS_PREFIX) || !isSafeStoragePath(storagePath)) return deny(403, "PERMISSION_DENIED", "uploads only");
  const expires = q.get("expires") ?? "";
  const bytes = q.get("bytes") ?? "";
  const sig = q.get("sig") ?? "";
  if (!/^\d{1,12}$/.test(expires) || !/^\d{1,12}$/.test(bytes) || !/^[0-9a-f]{64}$/.test(sig)) return deny(403, "PERMISSION_DENIED", "signature malformed");
  const want = Buffer.from(signUpload(secret, storagePath, headers.contentType ?? "", Number(bytes), Number(expires)), "hex");
  if (!timingSafeEqual(want, Buffer.from(sig, "hex"))) return deny(403, "PERMISSION_DENIED", "signature does not match (path, Content-Type and size are signed)");
  if (Number(expires) * 1000 < now) return deny(403, "PERMISSION_DENIED", "upload URL expired");
  if (headers.contentLength !== bytes) return deny(400, "INVALID_ARGUMENT", `Content-Length must be exactly ${bytes}`);
  return { ok: true, bytes: Number(bytes) };
}

export async function putUpload(req: IncomingMessage, res: ServerResponse, ctx: RunnerContext): Promise<void> {
  const url = new URL(req.url ?? "/", "http://x");
  const storage = ctx.localStorage;
  if (!storage) return sendJson(res, 404, { error: { code: "NOT_FOUND", message: "local storage is not enabled" } });
  let storagePath: string;
  try {
    storagePath = url.pathname.slice("/files/".length).split("/").map(decodeURIComponent).join("/");
  } catch {
    return sendJson(res, 400, { error: { code: "INVALID_ARGUMENT", message: "bad path encoding" } });
  }
  const check = checkUpload(ctx.config.LOCAL_STORAGE_SIGNING_SECRET, storagePath, url.searchParams, { contentType: req.headers["content-type"], contentLength: req.headers["content-length"] });
  if (!check.ok) return sendJson(res, check.status, { error: { code: check.code, message: check.message } });
  let body: Buffer;
  try {
    body = await readBody(req, check.bytes);
  } catch (e) {
    if (e instanceof BodyTooLarge) return sendJson(res, 400, { error: { code: "INVALID_ARGUMENT", message: `body larger than ${check.bytes} bytes` } });
    throw e;
  }
  if (body.length !== check.bytes) return sendJson(res, 400, { error: { code: "INVALID_ARGUMENT", message: `body is ${body.length} bytes; ${check.bytes} were signed` } });
  if (!(await createOnce(storage.resolve(storagePath), body))) {
    return sendJson(res, 412, { error: { code: "FAILED_PRECONDITION", message: "this upload URL was already used" } });
  }
  ctx.log.info("upload.stored", { path: storagePath, bytes: body.length });
  sendJson(res, 200, { stored: true, bytes: body.length });
}

/** Writes the file only if it does not exist: a hard link onto the final name fails atomically if it does. */
async function createOnce(file: string, bytes: Buffer): Promise<boolean> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`;
  await fs.writeFile(tmp, bytes);
  try {
    await fs.link(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}
