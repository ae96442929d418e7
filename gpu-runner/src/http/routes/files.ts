import type { IncomingMessage, ServerResponse } from "node:http";
import { sendBytes, sendJson } from "../../shared/http-util";
import { isSafeStoragePath, verifySignature } from "../../storage";
import type { RunnerContext } from "../context";

const TYPES: Record<string, string> = { webp: "image/webp", png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", avif: "image/avif" };

/** GET /files/{path}?expires=&sig=: local storage behind the same HMAC the functions sign with. */
export async function getFile(req: IncomingMessage, res: ServerResponse, ctx: RunnerContext): Promise<void> {
  const url = new URL(req.url ?? "/", "http://x");
  let storagePath: string;
  try {
    storagePath = url.pathname.slice("/files/".length).split("/").map(decodeURIComponent).join("/");
  } catch {
    return sendJson(res, 400, { error: { code: "INVALID_ARGUMENT", message: "bad path encoding" } });
  }
  const storage = ctx.localStorage;
  if (!storage) return sendJson(res, 404, { error: { code: "NOT_FOUND", message: "local storage is not enabled" } });
  if (!isSafeStoragePath(storagePath)) return sendJson(res, 403, { error: { code: "PERMISSION_DENIED", message: "forbidden" } });
  const check = verifySignature(ctx.config.LOCAL_STORAGE_SIGNING_SECRET, storagePath, url.searchParams.get("expires"), url.searchParams.get("sig"));
  if (!check.ok) return sendJson(res, 403, { error: { code: "PERMISSION_DENIED", message: `signature ${check.reason}` } });
  const bytes = await storage.get(storagePath);
  if (!bytes) return sendJson(res, 404, { error: { code: "NOT_FOUND", message: "no such file" } });
  const ext = storagePath.slice(storagePath.lastIndexOf(".") + 1).toLowerCase();
  sendBytes(res, 200, bytes, TYPES[ext] ?? "application/octet-stream", { "cache-control": "private, max-age=300" });
}
