// docs/api.md is generated from the registry (npm run docs): it must be current, and the
// renderer must say what a caller needs (types, limits, who may call, every reply).
import fs from "node:fs";
import path from "node:path";
import { apiDocument } from "../../src/openapi/build";
import { apiMarkdown, describeSchema } from "../../src/openapi/markdown";

process.env.FUNCTIONS_EMULATOR ??= "true";
const committed = path.resolve(__dirname, "..", "..", "..", "docs", "api.md");

describe("docs/api.md", () => {
  it("is current with the endpoint registry (run `npm run docs` after changing an endpoint)", () => {
    expect(fs.readFileSync(committed, "utf8")).toBe(apiMarkdown(apiDocument()));
  });

  it("lists every registered endpoint with its method, access and replies", () => {
    const doc = apiDocument() as any;
    const md = apiMarkdown(doc);
    for (const [p, methods] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      const [method, op] = Object.entries(methods)[0];
      expect(md).toContain(`\`${method.toUpperCase()} ${p}\``);
      for (const status of Object.keys(op.responses)) expect(md).toMatch(new RegExp(`### ${p.slice(1)}\\n[\\s\\S]*?- ${status}: `));
    }
    expect(md).toContain("| [createGenerationRequest](#creategenerationrequest) | POST | user; key scope `generate` |");
  });

  it("describes a field's type with the limits a caller must meet", () => {
    expect(describeSchema({ type: "integer", minimum: 1, maximum: 4, default: 1 })).toBe("integer, 1–4, default `1`");
    expect(describeSchema({ type: "string", minLength: 8, maxLength: 255, pattern: "^[a|b]+$" })).toBe("string, 8–255 chars, `^[a\\|b]+$`");
    expect(describeSchema({ enum: ["day", "month"] })).toBe('`"day"` \\| `"month"`');
    expect(describeSchema({ type: "array", items: { type: "string" }, minItems: 1, maxItems: 50 })).toBe("array of string, 1–50 items");
    expect(describeSchema({ anyOf: [{ type: "integer" }, { type: "null" }] })).toBe("integer \\| null");
  });
});
