import type { ComfyHttp } from "./http-client";
import { loraLoaderFor } from "./render-workflow";
import { stageNodeTypes } from "./stages";
import { isTrainingTemplate, type Template } from "./templates";

// Would this ComfyUI accept our workflow templates? It checks what real ComfyUI's validate_inputs
// (execution.py) checks at POST /prompt, from GET /object_info: every node class exists, every
// required input is present, each link's source output type fits the input's type, and literal
// choices baked into a template (checkpoint file, sampler, scheduler) are among the options.
// Each template gets its own verdict, so a missing training node disables training only. Used
// by the runner's readiness probe and by `npm run doctor`.

export interface MissingNode { classType: string; templates: string[] }
export interface MissingValue { template: string; nodeId: string; classType: string; input: string; value: string }
export interface MissingInput { template: string; nodeId: string; classType: string; input: string }
export interface BadLink { template: string; nodeId: string; classType: string; input: string; expected: string; got: string }
export interface TemplateVerdict { ok: boolean; training: boolean; problems: string[] }
export interface NodeCheck {
  ok: boolean; nodeTypes: number;
  missingNodes: MissingNode[]; missingValues: MissingValue[]; missingInputs: MissingInput[]; badLinks: BadLink[];
  templates: Record<string, TemplateVerdict>;
}

type InputSpec = unknown[];
interface ObjectInfoNode { input?: { required?: Record<string, InputSpec>; optional?: Record<string, InputSpec> }; output?: string[] }
type ObjectInfo = Record<string, ObjectInfoNode>;

/** Pure: every node class the templates use, with the templates using it, sorted. */
export function requiredNodeTypes(templates: Map<string, Template>): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const [name, t] of templates) {
    // The LoRA loader is not in the workflow file: the runner inserts it per job.
    for (const classType of classTypesOf(t)) {
      if (!out.has(classType)) out.set(classType, new Set());
      out.get(classType)!.add(name);
    }
  }
  return new Map([...out.keys()].sort().map((k) => [k, [...out.get(k)!].sort()]));
}

/** The template's node classes plus those the runner inserts per job (LoRA loader, upscale and mask stages). */
function classTypesOf(t: Template): Set<string> {
  const loader = loraLoaderFor(t);
  return new Set([...Object.values(t.workflow).map((n) => n.class_type), ...(loader ? [loader] : []), ...stageNodeTypes(t)]);
}

/** The options of a combo input in either of ComfyUI's shapes: `[[opts], {...}]` or `["COMBO", {options}]`. */
function comboOptions(spec: InputSpec | undefined): string[] | null {
  if (!Array.isArray(spec)) return null;
  if (Array.isArray(spec[0])) return spec[0].map(String);
  const opts = (spec[1] as { options?: unknown } | undefined)?.options;
  return spec[0] === "COMBO" && Array.isArray(opts) ? opts.map(String) : null;
}

/** The type name of an input spec ("COMBO" for a V1 list), as validate_node_input compares it. */
const inputType = (spec: InputSpec): string => (Array.isArray(spec[0]) ? "COMBO" : String(spec[0]));

/** validate_node_input: "*" takes anything; "A,B" is a union that matches on any common member. */
function typesMatch(got: string, wanted: string): boolean {
  if (got === "*" || wanted === "*") return true;
  const want = new Set(wanted.split(","));
  return got.split(",").some((t) => want.has(t));
}

interface TemplateProblems { missingNodes: string[]; missingValues: MissingValue[]; missingInputs: MissingInput[]; badLinks: BadLink[] }

/** Pure: one template against GET /object_info's body. */
function checkTemplate(objectInfo: ObjectInfo, t: Template): TemplateProblems {
  const out: TemplateProblems = { missingNodes: [], missingValues: [], missingInputs: [], badLinks: [] };
  for (const classType of classTypesOf(t)) {
    if (!objectInfo[classType]) out.missingNodes.push(classType);
  }
  const mapped = new Set(Object.values(t.mapping).map((ref) => `${ref!.nodeId}.${ref!.input}`));
  for (const [nodeId, node] of Object.entries(t.workflow)) {
    const def = objectInfo[node.class_type]?.input;
    if (!def) continue;
    const at = { template: t.name, nodeId, classType: node.class_type };
    // A default does not make an input optional: the API must send every required one.
    for (const input of Object.keys(def.required ?? {})) if (!(input in node.inputs)) out.missingInputs.push({ ...at, input });
    for (const [input, value] of Object.entries(node.inputs)) {
      const spec = def.required?.[input] ?? def.optional?.[input];
      if (!spec) continue; // ComfyUI ignores inputs a node does not declare
      if (Array.isArray(value)) {
        const [src, idx] = value as [string, number];
        const srcClass = t.workflow[src]?.class_type;
        const outputs = srcClass ? objectInfo[srcClass]?.output : undefined;
        if (!outputs) continue; // a missing source node is reported as a missing node
        const got = outputs[idx] ?? "(no such output)";
        if (!typesMatch(got, inputType(spec))) out.badLinks.push({ ...at, input, expected: inputType(spec), got });
        continue;
      }
      if (mapped.has(`${nodeId}.${input}`)) continue; // filled per job, not the template's own choice
      const options = comboOptions(spec);
      if (options && !options.includes(String(value))) out.missingValues.push({ ...at, input, value: String(value) });
    }
  }
  return out;
}

const describe = {
  value: (m: MissingValue) => `${m.classType}.${m.input} = "${m.value}" is not available (template ${m.template}, node ${m.nodeId})`,
  input: (m: MissingInput) => `${m.classType}.${m.input} is required by this ComfyUI but missing (template ${m.template}, node ${m.nodeId})`,
  link: (m: BadLink) => `${m.classType}.${m.input} takes ${m.expected} but is linked to a ${m.got} output (template ${m.template}, node ${m.nodeId})`,
};

/** Pure: compares GET /object_info's body with the templates; one verdict per template. */
export function checkObjectInfo(objectInfo: ObjectInfo, templates: Map<string, Template>): NodeCheck {
  const missingNodes: MissingNode[] = [];
  for (const [classType, users] of requiredNodeTypes(templates)) {
    if (!objectInfo[classType]) missingNodes.push({ classType, templates: users });
  }
  const check: NodeCheck = { ok: true, nodeTypes: requiredNodeTypes(templates).size, missingNodes, missingValues: [], missingInputs: [], badLinks: [], templates: {} };
  for (const [name, t] of templates) {
    const p = checkTemplate(objectInfo, t);
    check.missingValues.push(...p.missingValues);
    check.missingInputs.push(...p.missingInputs);
    check.badLinks.push(...p.badLinks);
    const problems = [
      ...p.missingNodes.map((c) => `node type ${c} is not installed`),
      ...p.missingInputs.map(describe.input), ...p.badLinks.map(describe.link), ...p.missingValues.map(describe.value),
    ];
    check.templates[name] = { ok: problems.length === 0, training: isTrainingTemplate(t), problems };
  }
  check.ok = Object.values(check.templates).every((v) => v.ok);
  return check;
}

/** One line per problem, for logs, readiness and the doctor. */
export function describeNodeCheck(c: NodeCheck): string[] {
  return [
    ...c.missingNodes.map((m) => `node type ${m.classType} is not installed (used by ${m.templates.join(", ")})`),
    ...c.missingInputs.map(describe.input),
    ...c.badLinks.map(describe.link),
    ...c.missingValues.map(describe.value),
  ];
}

/** Which job kinds this ComfyUI can run: generation needs every generation template valid, training every training one. */
export function kindsReady(c: NodeCheck): { generate: boolean; train: boolean } {
  const all = Object.values(c.templates);
  const kind = (training: boolean) => all.filter((v) => v.training === training).every((v) => v.ok);
  return { generate: kind(false), train: kind(true) };
}

export async function checkComfyNodes(comfy: ComfyHttp, templates: Map<string, Template>, timeoutMs?: number): Promise<NodeCheck> {
  return checkObjectInfo((await comfy.objectInfo(timeoutMs)) as ObjectInfo, templates);
}
