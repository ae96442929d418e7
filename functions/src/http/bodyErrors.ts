// Bodies are parsed by the host before any handler runs: the functions emulator's runtime
// (firebase-tools) and, deployed, the Functions Framework both put body-parser's json, text,
// urlencoded and raw parsers in front of every HTTPS function. A body that fails there (broken
// JSON under `Content-Type: application/json`, a charset or encoding it does not support) never
// reaches `endpoint()`: Express's default handler answers an HTML page which, outside
// NODE_ENV=production, carries the stack and local file paths. The emulator's runtime builds its
// parsers only after it loaded this module, so wrapping body-parser's factories here turns those
// failures into the API's error envelope. Deployed, the framework's page stays (docs/api.md).
import { createRequire } from "node:module";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "./errors";

type Next = (err?: unknown) => void;
type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;
type Factory = (options?: unknown) => Middleware;

const PARSERS = ["json", "text", "urlencoded", "raw"] as const;
let installed = false;

/** Once per process, in the emulator only; a host without body-parser is left as it is. */
export function envelopeBodyParseErrors(): void {
  if (installed || process.env.FUNCTIONS_EMULATOR !== "true") return;
  installed = true;
  const host = require.main?.filename;
  if (!host) return;
  let parsers: Record<string, unknown>;
  try {
    // The host's own copy: the one whose factories its Express app is about to call.
    parsers = createRequire(host)("body-parser");
  } catch {
    return;
  }
  for (const name of PARSERS) {
    const factory = parsers[name];
    const desc = Object.getOwnPropertyDescriptor(parsers, name);
    if (typeof factory !== "function" || !desc?.configurable) continue;
    Object.defineProperty(parsers, name, { configurable: true, enumerable: true, value: (options?: unknown) => enveloped((factory as Factory)(options)) });
  }
}

function enveloped(parse: Middleware): Middleware {
  return (req, res, next) => parse(req, res, (err?: unknown) => (err ? answer(req, res, bodyError(err)) : next()));
}

/** What body-parser's error means to a client; never its message, which may quote internals. */
export function bodyError(err: unknown): ApiError {
  const { status, type } = (err ?? {}) as { status?: unknown; type?: unknown };
  if (status === 413) return new ApiError("PAYLOAD_TOO_LARGE", "request body is too large");
  if (type === "entity.parse.failed") return new ApiError("INVALID_ARGUMENT", "request body is not valid JSON", { fields: [{ path: "(body)", message: "not valid JSON" }] });
  if (type === "charset.unsupported") return new ApiError("INVALID_ARGUMENT", "request body charset is not supported; send UTF-8 JSON");
  if (type === "encoding.unsupported") return new ApiError("INVALID_ARGUMENT", "request body Content-Encoding is not supported; send identity, gzip or deflate");
  return new ApiError("INVALID_ARGUMENT", "request body could not be read");
}

function answer(req: IncomingMessage, res: ServerResponse, err: ApiError): void {
  if (res.headersSent) return;
  // The endpoint's CORS layer never ran: let a browser read the refusal (as `cors: true` would).
  const origin = req.headers.origin;
  if (origin) res.setHeader("Access-Control-Allow-Origin", origin).setHeader("Vary", "Origin");
  res.statusCode = err.status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.end(JSON.stringify(err.toBody()));
}
