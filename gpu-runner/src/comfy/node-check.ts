import type { ComfyHttp } from "./http-client";
import { loraLoaderFor } from "./render-workflow";
import type { Template } from "./templates";

// Does this ComfyUI have what our workflow templates use? Node classes must exist, and literal
// choices baked into a template (checkpoint file, sampler, scheduler) must be among the options
// ComfyUI offers. Used by the runner's readiness probe and by `npm run doctor`.

export interface MissingNode { classType: string; templates: string[] }
export interface MissingValue { template: string; nodeId: string; classType: string; input: string; value: string }
export interface NodeCheck { ok: boolean; nodeTypes: number; missingNodes: MissingNode[]; missingValues: MissingValue[] }

type InputSpec = unknown[];
interface ObjectInfoNode { input?: { required?: Record<string, InputSpec>; optional?: Record<string, InputSpec> } }

/** Pure: every node class the templates use, with the templates using it, sorted. */
export function requiredNodeTypes(templates: Map<string, Template>): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const [name, t] of templates) {
    // The LoRA loader is not in the workflow file: the runner inserts it per job.
    const loader = loraLoaderFor(t);
    for (const classType of [...Object.values(t.workflow).map((n) => n.class_type), ...(loader ? [loader] : [])]) {
      if (!out.has(classType)) out.set(classType, new Set());
      out.get(classType)!.add(name);
    }
  }
  return new Map([...out.keys()].sort().map((k) => [k, [...out.get(k)!].sort()]));
}

/** The options of a combo input in either of ComfyUI's shapes: `[[opts], {...}]` or `["COMBO", {options}]`. */
function comboOptions(spec: InputSpec | undefined): string[] | null {
  if (!Array.isArray(spec)) return null;
  if (Array.isArray(spec[0])) return spec[0].map(String);
  const opts = (spec[1] as { options?: unknown } | undefined)?.options;
  return spec[0] === "COMBO" && Array.isArray(opts) ? opts.map(String) : null;
}

/** Pure: compares GET /object_info's body with the templates. */
export function checkObjectInfo(objectInfo: Record<string, ObjectInfoNode>, templates: Map<string, Template>): NodeCheck {
  const missingNodes: MissingNode[] = [];
  for (const [classType, users] of requiredNodeTypes(templates)) {
    if (!objectInfo[classType]) missingNodes.push({ classType, templates: users });
  }
  const missingValues: MissingValue[] = [];
  for (const [name, t] of templates) {
    const mapped = new Set(Object.values(t.mapping).map((ref) => `${ref!.nodeId}.${ref!.input}`));
    for (const [nodeId, node] of Object.entries(t.workflow)) {
      const def = objectInfo[node.class_type]?.input;
      if (!def) continue;
      for (const [input, value] of Object.entries(node.inputs)) {
        // Links and the parameters we fill in per job are not the template's own choices.
        if (Array.isArray(value) || mapped.has(`${nodeId}.${input}`)) continue;
        const options = comboOptions(def.required?.[input] ?? def.optional?.[input]);
        if (options && !options.includes(String(value))) missingValues.push({ template: name, nodeId, classType: node.class_type, input, value: String(value) });
      }
    }
  }
  return { ok: missingNodes.length === 0 && missingValues.length === 0, nodeTypes: requiredNodeTypes(templates).size, missingNodes, missingValues };
}

/** One line per problem, for logs, readiness and the doctor. */
export function describeNodeCheck(c: NodeCheck): string[] {
  return [
    ...c.missingNodes.map((m) => `node type ${m.classType} is not installed (used by ${m.templates.join(", ")})`),
    ...c.missingValues.map((m) => `${m.classType}.${m.input} = "${m.value}" is not available (template ${m.template}, node ${m.nodeId})`),
  ];
}

export async function checkComfyNodes(comfy: ComfyHttp, templates: Map<string, Template>, timeoutMs?: number): Promise<NodeCheck> {
  return checkObjectInfo((await comfy.objectInfo(timeoutMs)) as Record<string, ObjectInfoNode>, templates);
}
