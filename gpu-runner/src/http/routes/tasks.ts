import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { BodyTooLarge, readBody, sendJson } from "../../shared/http-util";
import type { RunnerContext } from "../context";

// Firestore ids cannot contain "/" and are at most 1500 bytes.
const bodySchema = z.object({ requestId: z.string().min(1).max(1500).regex(/^[^/]+$/).refine((s) => s !== "." && s !== "..") });

const fail = (res: ServerResponse, status: number, code: string, message: string, headers?: Record<string, string>) =>
  sendJson(res, status, { error: { code, message } }, headers);

/** POST /tasks/generate: auth → body → admission → the job. */
export async function postGenerate(req: IncomingMessage, res: ServerResponse, ctx: RunnerContext): Promise<void> {
  const deliveredAt = Date.now();
  const caller = await ctx.authenticate(req.headers);
  if (!caller) return fail(res, 401, "UNAUTHENTICATED", "missing or invalid credentials");
  let requestId: string;
  try {
    const parsed = bodySchema.safeParse(JSON.parse((await readBody(req, 16 * 1024)).toString("utf8")));
    if (!parsed.success) return fail(res, 400, "INVALID_ARGUMENT", `body must be {requestId}: ${parsed.error.issues[0]?.message}`);
    requestId = parsed.data.requestId;
  } catch (e) {
    return fail(res, e instanceof BodyTooLarge ? 413 : 400, "INVALID_ARGUMENT", "body must be JSON {requestId}");
  }
  if (ctx.draining()) return fail(res, 503, "UPSTREAM_UNAVAILABLE", "runner is shutting down", { "retry-after": "10" });
  const release = ctx.admit();
  if (!release) return fail(res, 503, "UPSTREAM_UNAVAILABLE", "runner is at capacity", { "retry-after": "10" });
  try {
    const retryHeader = req.headers["x-cloudtasks-taskretrycount"];
    const retryCount = typeof retryHeader === "string" && /^\d+$/.test(retryHeader) ? Number(retryHeader) : null;
    const outcome = await ctx.handleTask(requestId, retryCount, deliveredAt);
    sendJson(res, outcome.status, outcome.body);
  } finally {
    release();
  }
}
