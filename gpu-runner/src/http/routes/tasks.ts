import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { BodyTooLarge, readBody, sendJson } from "../../shared/http-util";
import type { JobKindName } from "../../jobs/job-kind";
import type { RunnerContext } from "../context";

// Firestore ids cannot contain "/" and are at most 1500 bytes.
const docId = z.string().min(1).max(1500).regex(/^[^/]+$/).refine((s) => s !== "." && s !== "..");
const bodies = {
  generate: z.object({ requestId: docId }).transform((b) => b.requestId),
  train: z.object({ customModelId: docId }).transform((b) => b.customModelId),
};
const evictBody = z.object({ customModelId: docId, sha256: z.string().regex(/^[0-9a-f]{64}$/) });

const fail = (res: ServerResponse, status: number, code: string, message: string, headers?: Record<string, string>) =>
  sendJson(res, status, { error: { code, message } }, headers);

/** Auth, then a small JSON body checked by `schema`; null when an error answer was sent. */
async function authedBody<T>(req: IncomingMessage, res: ServerResponse, ctx: RunnerContext, schema: z.ZodType<T>, shape: string): Promise<T | null> {
  const caller = await ctx.authenticate(req.headers);
  if (!caller) return fail(res, 401, "UNAUTHENTICATED", "missing or invalid credentials"), null;
  try {
    const parsed = schema.safeParse(JSON.parse((await readBody(req, 16 * 1024)).toString("utf8")));
    if (!parsed.success) return fail(res, 400, "INVALID_ARGUMENT", `body must be ${shape}: ${parsed.error.issues[0]?.message}`), null;
    return parsed.data;
  } catch (e) {
    return fail(res, e instanceof BodyTooLarge ? 413 : 400, "INVALID_ARGUMENT", `body must be JSON ${shape}`), null;
  }
}

/** POST /tasks/generate and /tasks/train: auth → body → job kind → admission → the job. */
export async function postJob(kind: JobKindName, req: IncomingMessage, res: ServerResponse, ctx: RunnerContext): Promise<void> {
  const deliveredAt = Date.now();
  const id = await authedBody(req, res, ctx, bodies[kind], kind === "train" ? "{customModelId}" : "{requestId}");
  if (id === null) return;
  // 503: Cloud Tasks retries, and the queue should route to runners that take this kind.
  if (!ctx.config.RUNNER_JOB_KINDS.includes(kind))
    return fail(res, 503, "JOB_KIND_NOT_SERVED", `this runner does not take ${kind} jobs (RUNNER_JOB_KINDS=${ctx.config.RUNNER_JOB_KINDS.join(",")})`, { "retry-after": "30" });
  if (ctx.draining()) return fail(res, 503, "UPSTREAM_UNAVAILABLE", "runner is shutting down", { "retry-after": "10" });
  // ComfyUI here would refuse this kind's template (readiness shows why): retry elsewhere, don't fail the job.
  const problems = ctx.kindProblems(kind);
  if (problems.length) return fail(res, 503, "JOB_KIND_NOT_SERVED", `ComfyUI here cannot run ${kind} jobs: ${problems.join("; ")}`, { "retry-after": "30" });
  const release = ctx.admit();
  if (!release) return fail(res, 503, "UPSTREAM_UNAVAILABLE", "runner is at capacity", { "retry-after": "10" });
  try {
    const retryHeader = req.headers["x-cloudtasks-taskretrycount"];
    const retryCount = typeof retryHeader === "string" && /^\d+$/.test(retryHeader) ? Number(retryHeader) : null;
    const outcome = await ctx.handleJob(kind, id, retryCount, deliveredAt);
    sendJson(res, outcome.status, outcome.body);
  } finally {
    release();
  }
}

/** POST /tasks/evict-lora: 200 whether or not this host held a copy. */
export async function postEvictLora(req: IncomingMessage, res: ServerResponse, ctx: RunnerContext): Promise<void> {
  const body = await authedBody(req, res, ctx, evictBody, "{customModelId, sha256}");
  if (body === null) return;
  const removed = await ctx.evictLora(body.customModelId, body.sha256);
  ctx.log.info("lora.evicted", { customModelId: body.customModelId, sha256: body.sha256, removed });
  sendJson(res, 200, { result: "evicted", removed });
}
