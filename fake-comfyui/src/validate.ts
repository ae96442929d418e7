import type { InputSpec, NodeDef } from "./nodes";

// Mirrors ComfyUI's validate_prompt / validate_inputs (execution.py): top-level error types and
// per-node errors with dependent_outputs, so the runner's error mapping is exercised against the
// real shapes. Like the real one it checks every required input and every optional input that is
// present (links, types, ranges, combos in both the V1 `[[opts]]` and V3 `["COMBO",{options}]`
// shapes); a top-level error carries `node_errors: {}`.

export type Prompt = Record<string, { class_type?: unknown; inputs?: Record<string, unknown> }>;
interface ErrorItem { type: string; message: string; details: string; extra_info: Record<string, unknown> }
type NodeErrors = Record<string, { errors: ErrorItem[]; dependent_outputs: string[]; class_type: string }>;
export type Validation = { ok: true; outputs: string[] } | { ok: false; body: { error: ErrorItem; node_errors: NodeErrors } };

const item = (type: string, message: string, details = "", extra: Record<string, unknown> = {}): ErrorItem => ({ type, message, details, extra_info: extra });
const fail = (error: ErrorItem, nodeErrors: NodeErrors = {}): Validation => ({ ok: false, body: { error, node_errors: nodeErrors } });

export function validatePrompt(prompt: unknown, defs: Record<string, NodeDef>): Validation {
  if (!prompt || typeof prompt !== "object" || Array.isArray(prompt)) return fail(item("no_prompt", "No prompt provided", "No prompt provided"));
  const p = prompt as Prompt;
  for (const [id, node] of Object.entries(p)) {
    const cls = node?.class_type;
    if (typeof cls !== "string" || !defs[cls]) {
      const message = typeof cls === "string" ? `Cannot execute because node ${cls} does not exist.` : `Cannot execute because a node is missing the class_type property.`;
      return fail(item(typeof cls === "string" ? "missing_node_type" : "invalid_prompt", message, `Node ID '#${id}'`, { node_id: id, class_type: cls ?? null }));
    }
  }
  const outputs = Object.keys(p).filter((id) => defs[p[id].class_type as string].output_node);
  if (outputs.length === 0) return fail(item("prompt_no_outputs", "Prompt has no outputs", ""));
  const nodeErrors: NodeErrors = {};
  const cache = new Map<string, ErrorItem[]>();
  const failedOutputs = outputs.filter((out) => {
    const bad = collectErrors(p, defs, out, cache, new Set());
    for (const id of bad) {
      nodeErrors[id] ??= { errors: cache.get(id)!, dependent_outputs: [], class_type: p[id].class_type as string };
      nodeErrors[id].dependent_outputs.push(out);
    }
    return bad.length > 0;
  });
  if (failedOutputs.length > 0) return fail(item("prompt_outputs_failed_validation", "Prompt outputs failed validation"), nodeErrors);
  return { ok: true, outputs };
}

/** Ids of invalid nodes among `id` and its ancestors. */
function collectErrors(p: Prompt, defs: Record<string, NodeDef>, id: string, cache: Map<string, ErrorItem[]>, visiting: Set<string>): string[] {
  if (visiting.has(id)) {
    cache.set(id, [item("dependency_cycle", "Dependency cycle detected", id)]);
    return [id];
  }
  if (cache.has(id)) return cache.get(id)!.length ? [id] : [];
  visiting.add(id);
  const def = defs[p[id].class_type as string];
  const errs: ErrorItem[] = [];
  const bad: string[] = [];
  const inputs = p[id].inputs ?? {};
  const specs: [string, InputSpec, boolean][] = [
    ...Object.entries(def.input.required).map(([n, s]): [string, InputSpec, boolean] => [n, s, true]),
    ...Object.entries(def.input.optional ?? {}).map(([n, s]): [string, InputSpec, boolean] => [n, s, false]),
  ];
  for (const [name, spec, required] of specs) {
    const v = inputs[name];
    const extra = { input_name: name, input_config: spec, received_value: v };
    if (v === undefined) {
      if (required) errs.push(item("required_input_missing", "Required input is missing", name, { input_name: name }));
      continue;
    }
    if (Array.isArray(v)) {
      const [src, idx] = v as [unknown, unknown];
      const srcNode = typeof src === "string" ? p[src] : undefined;
      if (v.length !== 2 || !srcNode || typeof idx !== "number") { errs.push(item("bad_linked_input", "Bad linked input, must be a length-2 list of [string, int]", `${name}, ${JSON.stringify(v)}`, extra)); continue; }
      const got = defs[srcNode.class_type as string].output[idx];
      if (!typesMatch(got, spec[0])) { errs.push(item("return_type_mismatch", "Return type mismatch between linked nodes", `${name}, received_type(${got}) mismatch input_type(${String(spec[0])})`, extra)); continue; }
      bad.push(...collectErrors(p, defs, src as string, cache, visiting));
      continue;
    }
    const e = checkValue(name, v, spec, extra);
    if (e) errs.push(e);
  }
  visiting.delete(id);
  cache.set(id, errs);
  if (errs.length) bad.push(id);
  return [...new Set(bad)];
}

/** validate_node_input: "*" takes anything, "A,B" is a union; a combo output feeds a combo input. */
function typesMatch(received: string | undefined, wanted: string | string[]): boolean {
  if (received === undefined) return false;
  const want = Array.isArray(wanted) ? "COMBO" : wanted;
  if (received === "*" || want === "*") return true;
  const a = new Set(received.split(",")), b = new Set(want.split(","));
  return [...a].some((t) => b.has(t));
}

function checkValue(name: string, v: unknown, spec: InputSpec, extra: Record<string, unknown>): ErrorItem | null {
  const [type, opts = {}] = spec;
  const options = Array.isArray(type) ? type : type === "COMBO" && Array.isArray(opts.options) ? (opts.options as string[]) : null;
  if (options) {
    const shown = options.length > 20 ? `(list of length ${options.length})` : JSON.stringify(options);
    return options.includes(v as string) ? null : item("value_not_in_list", "Value not in list", `${name}: '${String(v)}' not in ${shown}`, extra);
  }
  if (type === "INT" || type === "FLOAT") {
    const n = Number(v); // ComfyUI coerces, so "20" passes for an INT
    if (typeof v === "boolean" || Number.isNaN(n)) return item("invalid_input_type", `Failed to convert an input value to a ${type} value`, `${name}, ${String(v)}`, extra);
    if (typeof opts.min === "number" && n < opts.min) return item("value_smaller_than_min", `Value ${n} smaller than min of ${opts.min}`, name, extra);
    if (typeof opts.max === "number" && n > opts.max) return item("value_bigger_than_max", `Value ${n} bigger than max of ${opts.max}`, name, extra);
    return null;
  }
  if (type === "STRING" && typeof v !== "string") return item("invalid_input_type", "Failed to convert an input value to a STRING value", name, extra);
  return null;
}
