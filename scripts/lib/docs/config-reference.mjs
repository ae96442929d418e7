// docs/configuration.md, rendered from the configuration schemas of both packages (zod): each
// setting's type, allowed values and default come from the schema, its description from the
// doc comment on the schema's own line. `npm run docs` writes it; a test fails while it is stale.

/** The `/** … *\/` comment right above each `KEY:` line of a schema's source, by key. */
export function keyComments(source) {
  const out = {};
  const lines = source.split("\n");
  for (const [i, line] of lines.entries()) {
    const key = /^\s+([A-Z][A-Z0-9_]*):/.exec(line)?.[1];
    if (!key) continue;
    const above = [];
    for (let j = i - 1; j >= 0 && /^\s*(\/\*\*|\*|\*\/)/.test(lines[j]); j--) above.unshift(lines[j]);
    const text = above.join(" ").replace(/\/\*\*|\*\//g, "").replace(/\s\*\s/g, " ").replace(/\s+/g, " ").trim();
    if (text) out[key] = text;
  }
  return out;
}

/** Type and limits of one setting, from its JSON Schema (as zod renders it). */
export function describeSetting(js, repoRoot) {
  const parts = [];
  if (js.enum) parts.push(js.enum.map((v) => `\`${v}\``).join(", "));
  else if (js.type) parts.push(js.type === "integer" ? "integer" : js.type);
  else parts.push("string");
  // zod states .int() as the safe-integer range: that bound says nothing to a reader.
  const bound = (v) => (v === undefined || Math.abs(v) >= Number.MAX_SAFE_INTEGER ? undefined : v);
  const lo = bound(js.minimum ?? js.exclusiveMinimum ?? js.minLength);
  const hi = bound(js.maximum ?? js.maxLength);
  if (js.exclusiveMinimum === 0 && js.minimum === undefined) parts.push("> 0");
  else if (lo !== undefined && hi !== undefined) parts.push(`${lo}–${hi}${js.minLength !== undefined ? " chars" : ""}`);
  else if (lo !== undefined) parts.push(`≥ ${lo}${js.minLength !== undefined ? " chars" : ""}`);
  if (js.format) parts.push(js.format);
  if (js.pattern && !js.format) parts.push(`\`${js.pattern}\``);
  const def = js.default === undefined ? "" : String(js.default).split(repoRoot).join("<repo>");
  return { type: parts.join(", "), default: def };
}

const cell = (t) => String(t ?? "").replace(/\|/g, "\\|");

/**
 * packages: [{title, intro, file (repo-relative source), source (its text), schema (zod object)}];
 * toJSONSchema: zod's converter.
 */
export function configReference(packages, toJSONSchema, repoRoot) {
  const out = [
    "# Configuration reference",
    "",
    "For: operators deploying the backend and developers adding a setting. Every environment",
    "variable both packages read, generated from their zod schemas by `npm run docs` (a test fails",
    "while this file is stale). Each package reads its settings once at start-up and names every",
    "bad or missing one. Defaults are for the emulators; a deployed configuration refuses to start",
    "without its dispatch, storage, auth and Stripe settings, and refuses the public development",
    "secrets (`npm run doctor -- --project <id>` runs the same checks before a deploy).",
    "",
  ];
  for (const p of packages) {
    const comments = keyComments(p.source);
    out.push(`## ${p.title}`, "", `${p.intro} Source: \`${p.file}\`.`, "", "| variable | type | default | what it does |", "| --- | --- | --- | --- |");
    for (const [key, field] of Object.entries(p.schema.shape)) {
      const d = describeSetting(toJSONSchema(field, { io: "output", unrepresentable: "any" }), repoRoot);
      out.push(`| \`${key}\` | ${cell(d.type)} | ${d.default === "" ? "" : `\`${cell(d.default)}\``} | ${cell(comments[key] ?? "")} |`);
    }
    out.push("");
  }
  return out.join("\n").trimEnd() + "\n";
}

/** The three schemas: `built` is the compiled module (for `npm run docs`), `file` the source. */
export const CONFIG_PACKAGES = [
  { title: "Functions", file: "functions/src/config.ts", built: "functions/lib/config.js", intro: "The Cloud Functions: dispatch, storage, limits, Stripe. Deployed, set them in `functions/.env.<project-id>`." },
  { title: "Functions: data lifecycle", file: "functions/src/lifecycle/config.ts", built: "functions/lib/lifecycle/config.js", intro: "Retention, erasure and export, read by the lifecycle module (same env files)." },
  { title: "GPU runner", file: "gpu-runner/src/config.ts", built: "gpu-runner/lib/config.js", intro: "The runner beside ComfyUI. Deployed, the image's `ENV` plus the Cloud Run service's variables (`gpu-runner/.env.<project-id>` for the doctor)." },
];
