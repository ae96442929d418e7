// docs/api.md, rendered from the OpenAPI document (which is built from the endpoint registry and
// the endpoints' own zod schemas), so the written reference cannot drift from the code: a test
// renders it again and compares, and `npm run docs` rewrites it. Pure over the document.
type Json = Record<string, any>;

const HEADER = `# API reference

For: developers calling the API. Every endpoint, who may call it, what it takes and what it can
answer. This file is generated from the endpoint registry (\`functions/src/openapi/registry.ts\`)
by \`npm run docs\`; a test fails when it is out of date, so edit the schemas, not this file. The
same facts, with reply schemas and examples you can run, are at \`/docs\` (Swagger UI) and
\`/openapi.json\` on the Hosting emulator (http://127.0.0.1:5000 under \`npm run dev\`).

- **Where:** \`POST|GET <base>/<name>\`, base \`http://127.0.0.1:5001/demo-imagegen/us-central1\` in the
  emulator, or \`/api/<name>\` through Hosting. JSON in (query parameters for GET), JSON out.
- **Who:** \`Authorization: Bearer <Firebase ID token>\` or \`X-API-Key: <key>\` (a key needs the scope
  shown). Identity never comes from the body; an admin may act for another user by naming \`userId\`.
- **Errors:** the HTTP status and \`{"error": {"code", "message", "details"?}}\`; the code is the stable
  contract.
`;

/** One line for a property's schema: its type, with the constraints a caller must meet. */
export function describeSchema(s: Json | undefined): string {
  if (!s || Object.keys(s).length === 0) return "any";
  if (s.$ref) return String(s.$ref).split("/").pop()!;
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v: unknown) => `\`${JSON.stringify(v)}\``).join(" \\| ");
  for (const k of ["anyOf", "oneOf"]) if (s[k]) return s[k].map((x: Json) => describeSchema(x)).join(" \\| ");
  const parts: string[] = [];
  if (s.type === "array") parts.push(`array of ${describeSchema(s.items)}`);
  else parts.push(Array.isArray(s.type) ? s.type.join(" \\| ") : String(s.type ?? "any"));
  const range = (lo?: number, hi?: number, unit = "") =>
    lo !== undefined && hi !== undefined ? `${lo}–${hi}${unit}` : lo !== undefined ? `≥ ${lo}${unit}` : hi !== undefined ? `≤ ${hi}${unit}` : null;
  const r = range(s.minimum, s.maximum) ?? range(s.minLength, s.maxLength, " chars") ?? range(s.minItems, s.maxItems, " items");
  if (r) parts.push(r);
  if (s.format) parts.push(s.format);
  if (s.pattern) parts.push(`\`${String(s.pattern).replace(/\|/g, "\\|")}\``);
  if (s.default !== undefined) parts.push(`default \`${JSON.stringify(s.default)}\``);
  return parts.join(", ");
}

const cell = (t: unknown) => String(t ?? "").replace(/\n+/g, " ").replace(/\|/g, "\\|");

function fieldsTable(props: Record<string, Json>, required: Set<string>): string[] {
  if (Object.keys(props).length === 0) return ["No input."];
  const rows = Object.entries(props).map(([name, s]) => `| \`${name}\` | ${describeSchema(s)} | ${required.has(name) ? "yes" : ""} | ${cell(s.description)} |`);
  return ["| field | type | required | notes |", "| --- | --- | --- | --- |", ...rows];
}

function inputLines(op: Json): string[] {
  if (op.parameters) {
    const props = Object.fromEntries(op.parameters.map((p: Json) => [p.name, { ...p.schema, description: p.description }]));
    return fieldsTable(props, new Set(op.parameters.filter((p: Json) => p.required).map((p: Json) => p.name)));
  }
  const schema = op.requestBody?.content?.["application/json"]?.schema;
  if (!schema) return ["No input."];
  return fieldsTable(schema.properties ?? {}, new Set(schema.required ?? []));
}

function who(op: Json): string {
  const access = op["x-access"] ?? {};
  if (access.role === "public") return "anyone";
  return `${access.role}${access.apiKeyScope ? `; key scope \`${access.apiKeyScope}\`` : "; no API keys"}`;
}

function replyLines(op: Json): string[] {
  return Object.entries(op.responses as Record<string, Json>).map(([status, r]) => `- ${status}: ${cell(r.description)}`);
}

const anchor = (name: string) => name.toLowerCase();

export function apiMarkdown(doc: Json): string {
  const out = [HEADER];
  const ops = Object.entries(doc.paths as Record<string, Json>).flatMap(([p, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ name: p.slice(1), method: method.toUpperCase(), op: op as Json })));
  for (const tag of doc.tags as Json[]) {
    const mine = ops.filter((o) => o.op.tags?.includes(tag.name));
    if (mine.length === 0) continue;
    out.push(`## ${tag.name}\n\n${tag.description}\n`);
    out.push(["| endpoint | method | who | what |", "| --- | --- | --- | --- |", ...mine.map((o) => `| [${o.name}](#${anchor(o.name)}) | ${o.method} | ${who(o.op)} | ${cell(o.op.summary)} |`)].join("\n") + "\n");
    for (const o of mine) {
      out.push(`### ${o.name}\n\n\`${o.method} /${o.name}\`: ${o.op.summary}. ${o.op.description}\n`);
      out.push(`${o.method === "GET" ? "Query parameters" : "Body"}:\n\n${inputLines(o.op).join("\n")}\n`);
      out.push(`Replies:\n\n${replyLines(o.op).join("\n")}\n`);
    }
  }
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}
