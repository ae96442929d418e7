// Builds the OpenAPI 3.1 document from the endpoint registry: paths, parameters, bodies and
// replies come from the endpoints' own zod schemas; this file only adds the HTTP framing.
import type { Config } from "../config";
import { byStatus, ERROR_MEANINGS, errorCodesOf, errorEnvelopeSchema } from "./errors";
import { SchemaCollector } from "./jsonSchema";
import type { RegisteredEndpoint } from "./registry";

type Json = Record<string, unknown>;

export interface Example {
  /** Body (POST) or query parameters (GET). */
  input?: Record<string, unknown>;
  output: unknown;
}

export interface DocumentOptions {
  version: string;
  /** The limits the document states (prompt length, page size, …) come from this config. */
  config: Config;
  servers: Array<{ url: string; description: string }>;
  examples: Record<string, Example>;
  tags?: Array<{ name: string; description: string }>;
}

export const SECURITY_SCHEMES = {
  idToken: { type: "http", scheme: "bearer", bearerFormat: "Firebase ID token", description: "Authorization: Bearer <Firebase ID token>. Roles come from the token's `role` claim (user, admin, superadmin)." },
  apiKey: { type: "apiKey", in: "header", name: "X-API-Key", description: "An API key from createApiKey (sk_test_… / sk_live_…). Keys act as their user with the `user` role; the security requirement lists the scope a key needs." },
};

export function buildOpenApi(endpoints: RegisteredEndpoint[], opts: DocumentOptions): Json {
  const schemas = new SchemaCollector();
  const errorRef = schemas.convert(errorEnvelopeSchema, "output");
  const paths: Json = {};
  for (const e of endpoints) {
    const example = opts.examples[e.name];
    if (!example) throw new Error(`no example for endpoint ${e.name} (functions/src/openapi/examples.ts)`);
    paths[`/${e.name}`] = { [e.method.toLowerCase()]: operation(e, example, schemas, errorRef, opts.config) };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "imagegen API",
      version: opts.version,
      description: "Image generation with a credit ledger. JSON in, JSON out. Identity comes from a Firebase ID token or an API key, never from the body; an admin may act for another user by naming `userId`. Errors are `{error: {code, message, details?}}` with a stable code.",
    },
    servers: opts.servers,
    tags: opts.tags ?? [],
    paths,
    components: { schemas: schemas.components, securitySchemes: SECURITY_SCHEMES },
  };
}

function operation(e: RegisteredEndpoint, example: Example, schemas: SchemaCollector, errorRef: Json, cfg: Config): Json {
  const op: Json = {
    operationId: e.name,
    summary: e.summary,
    description: accessText(e),
    tags: [e.tag],
    security: securityOf(e),
    "x-access": { role: e.access, ...(e.scope ? { apiKeyScope: e.scope } : {}) },
  };
  if (e.input) {
    const schema = schemas.convert(e.input(cfg), "input");
    if (e.method === "GET") op.parameters = queryParameters(schema, example.input ?? {});
    else op.requestBody = { required: true, content: { "application/json": { schema, ...(example.input ? { example: example.input } : {}) } } };
  }
  op.responses = responses(e, example, schemas.convert(e.output(), "output"), errorRef);
  return op;
}

function accessText(e: RegisteredEndpoint): string {
  if (e.access === "public") return "No credentials needed.";
  const who = e.access === "user" ? "Any signed-in user (an admin may name `userId` where the input has it)." : `Requires the \`${e.access}\` role (ID token).`;
  const keys = e.scope ? ` API keys need the \`${e.scope}\` scope.` : " API keys are refused.";
  return who + keys;
}

function securityOf(e: RegisteredEndpoint): Json[] {
  if (e.access === "public") return [];
  return e.scope ? [{ idToken: [] }, { apiKey: [e.scope] }] : [{ idToken: [] }];
}

/** Each top-level property of a GET endpoint's query schema becomes a query parameter. */
function queryParameters(schema: Json, example: Record<string, unknown>): Json[] {
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => {
    const { description, ...rest } = s;
    return {
      name, in: "query", required: required.has(name), schema: rest,
      ...(description ? { description } : {}),
      ...(example[name] !== undefined ? { example: example[name] } : {}),
    };
  });
}

function responses(e: RegisteredEndpoint, example: Example, output: Json, errorRef: Json): Json {
  const out: Json = {};
  for (const status of e.statuses ?? [200]) {
    const description = status === 201 ? "created" : e.statuses?.includes(201) ? "an idempotent replay of an earlier call: nothing changed" : "OK";
    out[String(status)] = { description, content: { [e.contentType ?? "application/json"]: { schema: output, example: example.output } } };
  }
  for (const [status, codes] of byStatus(errorCodesOf(e))) {
    out[String(status)] = {
      description: codes.map((c) => `\`${c}\`: ${ERROR_MEANINGS[c]}`).join("; "),
      content: { "application/json": { schema: errorRef, example: { error: { code: codes[0], message: ERROR_MEANINGS[codes[0]] } } } },
    };
  }
  return out;
}
