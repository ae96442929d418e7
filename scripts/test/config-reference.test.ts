// docs/configuration.md is generated from the three config schemas (npm run docs): it must be
// current, name every setting, and take descriptions from the schema's own doc comments (which
// every setting has).
import fs from "node:fs";
import path from "node:path";
import { toJSONSchema } from "../../functions/node_modules/zod";
import { configSchema as functionsSchema } from "../../functions/src/config";
import { configSchema as lifecycleSchema } from "../../functions/src/lifecycle/config";
import { configSchema as runnerSchema } from "../../gpu-runner/src/config";
import { CONFIG_PACKAGES, configReference, describeSetting, keyComments } from "../lib/docs/config-reference.mjs";

const repoRoot = path.resolve(__dirname, "..", "..");
const schemas: Record<string, unknown> = { "functions/src/config.ts": functionsSchema, "functions/src/lifecycle/config.ts": lifecycleSchema, "gpu-runner/src/config.ts": runnerSchema };
const packages = CONFIG_PACKAGES.map((p) => ({ ...p, source: fs.readFileSync(path.join(repoRoot, p.file), "utf8"), schema: schemas[p.file] }));
const rendered = configReference(packages, toJSONSchema, repoRoot);

describe("docs/configuration.md", () => {
  it("is current with the config schemas (run `npm run docs` after changing a setting)", () => {
    expect(fs.readFileSync(path.join(repoRoot, "docs", "configuration.md"), "utf8")).toBe(rendered);
  });

  it("names every setting of both packages once, with no path of this machine", () => {
    for (const s of [functionsSchema, lifecycleSchema, runnerSchema]) {
      for (const key of Object.keys(s.shape)) expect(rendered).toContain(`| \`${key}\` |`);
    }
    expect(rendered).not.toContain(repoRoot);
    expect(rendered).toMatch(/\| `TRAINING_PHOTO_RETENTION_HOURS` \| integer, 0–8760 \| `0` \| Training photos are deleted/);
  });

  it("describes every setting: each schema key has a doc comment", () => {
    const undocumented = packages.flatMap((p) => {
      const comments = keyComments(p.source);
      return Object.keys((p.schema as { shape: object }).shape).filter((k) => !comments[k]).map((k) => `${p.file}: ${k}`);
    });
    expect(undocumented).toEqual([]);
  });

  it("reads a setting's doc comment and its type, limits and default from the schema", () => {
    expect(keyComments("const s = z.object({\n  /** One line. */\n  A_B: x,\n  /**\n   * Two\n   * lines.\n   */\n  C: y,\n  D: z,\n});")).toEqual({ A_B: "One line.", C: "Two lines." });
    expect(describeSetting({ type: "integer", minimum: 1, maximum: 3650, default: 30 }, "/r")).toEqual({ type: "integer, 1–3650", default: "30" });
    expect(describeSetting({ type: "string", enum: ["webp", "png"], default: "webp" }, "/r")).toEqual({ type: "`webp`, `png`", default: "webp" });
    expect(describeSetting({ type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER }, "/r").type).toBe("integer, ≥ 0");
    expect(describeSetting({ type: "string", format: "email", pattern: "^x$" }, "/r").type).toBe("string, email");
    expect(describeSetting({ type: "string", default: "/r/gpu-runner/workflows" }, "/r")).toEqual({ type: "string", default: "<repo>/gpu-runner/workflows" });
  });
});
