// Wraps an HTTPS function: method check, authentication, error mapping to the stable error
// shape, and one structured log line per call. Handlers only see parsed input and return data.
// The spec also describes the endpoint (input and reply schemas), so the OpenAPI document
// (functions/src/openapi) is built from the very schemas the handlers validate with.
import { randomUUID } from "node:crypto";
import { onRequest, type HttpsFunction, type HttpsOptions, type Request } from "firebase-functions/v2/https";
import type { z } from "zod";
import type { Response } from "express";
import type { Config } from "../config";
import { authenticate, authorize, type Caller, type Role } from "../auth/caller";
import type { KeyScope } from "../auth/apiKeys";
import { ApiError, type ErrorCode } from "./errors";
import { envelopeBodyParseErrors } from "./bodyErrors";
import { errorFields, log } from "../shared/log";

export interface EndpointContext {
  caller: Caller;
  body: unknown;
  query: Record<string, string>;
  headers: Request["headers"];
  callId: string;
}

export interface Reply {
  status?: number;
  /** The reply; with `text`, what the text says in JSON (still checked against the schema). */
  body: unknown;
  /** A streamed reply (server-sent events): it writes and ends the response itself; `body` is unused. */
  stream?: (req: Request, res: Response) => Promise<void>;
  /** Send this text instead of `body` as JSON (a CSV download); `filename` makes it an attachment. */
  text?: { contentType: string; body: string; filename?: string };
}

export interface EndpointSpec {
  name: string;
  method: "GET" | "POST";
  /** The least role that may call it. API keys act with the `user` role only. */
  access: Role;
  /** The API key scope a key needs here; without one, keys are refused (ID tokens only). */
  scope?: KeyScope;
  options?: HttpsOptions;
  /** One line for the API reference. */
  summary: string;
  /** The body (POST) or query (GET) schema the handler parses with, given the config its limits come from. */
  input?: (cfg: Config) => z.ZodType;
  /** The schema of a successful reply's body. */
  output: () => z.ZodType;
  /** The success reply's media type; application/json when omitted. */
  contentType?: string;
  /** Success statuses; 200 when omitted. */
  statuses?: number[];
  /** Error codes this endpoint raises beyond the ones every authenticated endpoint can (see openapi/errors). */
  errors?: ErrorCode[];
}

/** An HTTPS function that carries its own description (endpoints are listed in openapi/registry). */
export type DescribedFunction = HttpsFunction & { spec: DescribedSpec };
/** What the registry needs of an endpoint; `public` is for the one that takes no credentials (health). */
export type DescribedSpec = Omit<EndpointSpec, "access"> & { access: Role | "public" };

export function endpoint(spec: EndpointSpec, handle: (ctx: EndpointContext) => Promise<Reply>): DescribedFunction {
  // A body the host cannot parse never reaches this wrapper (bodyErrors.ts).
  envelopeBodyParseErrors();
  const fn = onRequest({ cors: true, ...spec.options }, async (req, res) => {
    const started = Date.now();
    const callId = (req.get("x-request-id") || randomUUID()).slice(0, 64);
    let caller: Caller | undefined;
    let status = 500;
    let code: string | undefined;
    res.set("X-Request-Id", callId);
    try {
      if (req.method !== spec.method) {
        throw new ApiError("METHOD_NOT_ALLOWED", `${spec.name} accepts ${spec.method} only`);
      }
      caller = await authenticate(req.headers);
      authorize(caller, spec.access, spec.scope);
      const reply = await handle({ caller, body: bodyOf(req), query: queryOf(req), headers: req.headers, callId });
      if (reply.stream) {
        status = 200;
        await reply.stream(req, res);
        return;
      }
      if (checkReplies()) assertReplyMatches(spec, reply.body);
      status = reply.status ?? 200;
      if (reply.text) {
        if (reply.text.filename) res.set("Content-Disposition", `attachment; filename="${reply.text.filename}"`);
        res.status(status).type(reply.text.contentType).send(reply.text.body);
      } else res.status(status).json(reply.body);
    } catch (err) {
      // Anything not thrown on purpose stays in the logs (it may name buckets, service accounts or
      // paths); the caller gets a stable code and the call id to quote.
      const apiErr = err instanceof ApiError ? err : new ApiError("INTERNAL", `internal error; it has been logged under call id ${callId}`, { callId });
      if (!(err instanceof ApiError)) log.error(`${spec.name} failed`, { callId, ...errorFields(err) });
      status = apiErr.status;
      code = apiErr.code;
      const retryAfter = (apiErr.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
      if (retryAfter) res.set("Retry-After", String(retryAfter));
      res.status(status).json(apiErr.toBody());
    } finally {
      log.info(`${spec.name} ${status}`, { fn: spec.name, callId, uid: caller?.uid, via: caller?.via, keyId: caller?.key?.keyId, status, code, latencyMs: Date.now() - started });
    }
  });
  return Object.assign(fn, { spec });
}

// In the emulator every reply is checked against its documented schema, so the whole emulator
// test suite keeps the API reference honest; deployed functions skip the cost.
const checkReplies = () => process.env.FUNCTIONS_EMULATOR === "true" || process.env.IMAGEGEN_CHECK_REPLIES === "1";

/** Throws INTERNAL naming the first mismatching fields when a reply strays from spec.output. */
export function assertReplyMatches(spec: Pick<EndpointSpec, "name" | "output">, body: unknown): void {
  const r = spec.output().safeParse(body);
  if (r.success) return;
  const fields = r.error.issues.slice(0, 5).map((i) => `${i.path.map(String).join(".") || "(body)"}: ${i.message}`);
  log.error("reply does not match its schema", { fn: spec.name, fields });
  throw new ApiError("INTERNAL", `${spec.name}: reply does not match its documented schema (${fields.join("; ")})`);
}

function bodyOf(req: Request): unknown {
  if (req.method !== "POST") return undefined;
  const type = req.get("content-type") ?? "";
  if (!type.includes("application/json")) {
    throw new ApiError("INVALID_ARGUMENT", "request body must be JSON (Content-Type: application/json)");
  }
  return req.body;
}

function queryOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.query)) {
    if (typeof v === "string") out[k] = v;
    else throw new ApiError("INVALID_ARGUMENT", `query parameter '${k}' must appear once`, { fields: [{ path: k, message: "repeated" }] });
  }
  return out;
}
