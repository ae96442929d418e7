// zod → JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) with z.toJSONSchema. Schemas
// that carry `.meta({ id })` become shared components; everything else is inlined.
import { z } from "zod";

type Json = Record<string, unknown>;
export type Io = "input" | "output";

const REF_PREFIX = "#/components/schemas/";

export class SchemaCollector {
  readonly components: Record<string, Json> = {};

  /** The JSON Schema of `schema` as a request (`input`: defaults optional) or a reply (`output`). */
  convert(schema: z.ZodType, io: Io): Json {
    // `any` for what JSON Schema cannot say (refinements, transforms): the validation is still
    // the handler's, and descriptions state such rules in words.
    const json = z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any" }) as Json;
    const { $schema: _dialect, $defs, ...rest } = json;
    const renames = this.hoist(($defs ?? {}) as Record<string, Json>, io);
    return rewriteRefs(rest, renames) as Json;
  }

  /** Moves $defs into components; the same id converted differently for input gets its own name. */
  private hoist(defs: Record<string, Json>, io: Io): Map<string, string> {
    const renames = new Map<string, string>();
    for (const [id, def] of Object.entries(defs)) renames.set(id, this.nameFor(id, def, io, renames));
    for (const [id, def] of Object.entries(defs)) {
      const name = renames.get(id)!;
      this.components[name] ??= stripId(rewriteRefs(def, renames) as Json);
    }
    return renames;
  }

  private nameFor(id: string, def: Json, io: Io, renames: Map<string, string>): string {
    const existing = this.components[id];
    if (!existing || JSON.stringify(existing) === JSON.stringify(stripId(rewriteRefs(def, renames) as Json))) return id;
    return `${id}${io === "input" ? "Input" : "Output"}`;
  }
}

function stripId(def: Json): Json {
  const { id: _id, $id: _$id, ...rest } = def;
  return rest;
}

/** Rewrites `#/$defs/X` references to components (renamed where needed), recursively. */
function rewriteRefs(node: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, renames));
  if (!node || typeof node !== "object") return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === "$ref" && typeof v === "string" && v.startsWith("#/$defs/")) {
      const id = v.slice("#/$defs/".length);
      out[k] = REF_PREFIX + (renames.get(id) ?? id);
    } else {
      out[k] = rewriteRefs(v, renames);
    }
  }
  return out;
}
