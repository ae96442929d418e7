import type { z } from "zod";
import { ApiError } from "./errors";

/** Parses input with a zod schema; failures become INVALID_ARGUMENT listing every field path. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = "request"): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const fields = r.error.issues.map((i) => ({ path: i.path.map(String).join(".") || what, message: i.message }));
  const summary = fields.map((f) => `${f.path}: ${f.message}`).join("; ");
  throw new ApiError("INVALID_ARGUMENT", summary, { fields });
}
