// Issue 23 item 7: every catalog entry is validated at read, training blocks included; a bad
// entry is one clear error naming the entry and each bad field. The seeded catalog passes.
import { catalogError, parseEntry } from "../../src/catalog/schema";
import { CATALOG_KINDS } from "../../src/catalog/types";
// @ts-expect-error: a plain .mjs module shared with the scripts
import { catalog as seeded } from "../../../scripts/lib/seed-data.mjs";

const MODEL_A = { displayName: "Model A", enabled: true, creditsPerImage: 1, workflow: "txt2img", kind: "text-to-image", steps: 20, training: { creditsPerRun: 5, defaultSteps: 200, maxSteps: 1000, workflow: "train-lora", loraLoader: "LoraLoader" } };
const issueOf = (kind: (typeof CATALOG_KINDS)[number], id: string, data: unknown) => {
  const r = parseEntry(kind, id, data);
  if (!("issue" in r)) throw new Error(`expected ${kind}/${id} to be refused`);
  return r.issue;
};

describe("catalog validation", () => {
  it("accepts every seeded entry, disabled ones included", () => {
    for (const kind of CATALOG_KINDS) {
      for (const { id, ...data } of (seeded as Record<string, Array<{ id: string }>>)[kind]) expect(parseEntry(kind, id, data)).toEqual({ item: expect.objectContaining({ id }) });
    }
  });

  it.each([
    ["a free training run", { creditsPerRun: 0 }, "training.creditsPerRun"],
    ["a fractional price", { creditsPerRun: 2.5 }, "training.creditsPerRun"],
    ["a string for a number", { maxSteps: "1000" }, "training.maxSteps"],
    ["defaultSteps above maxSteps", { defaultSteps: 2000 }, "training.defaultSteps"],
    ["no workflow", { workflow: undefined }, "training.workflow"],
    ["a path for a workflow", { workflow: "../etc/train" }, "training.workflow"],
    ["an unknown loader", { loraLoader: "LoraLoaderXL" }, "training.loraLoader"],
  ])("refuses a training block with %s, naming the entry and the field", (_name, change, field) => {
    const issue = issueOf("models", "A", { ...MODEL_A, training: { ...MODEL_A.training, ...change } });
    expect(issue.entry).toBe("models/A");
    expect(issue.fields.map((f) => f.split(":")[0])).toEqual([field]);
  });

  it("refuses bad top-level fields of any kind, and lists every bad field of an entry", () => {
    expect(issueOf("models", "B", { ...MODEL_A, creditsPerImage: 0, kind: "video" }).fields.map((f) => f.split(":")[0]).sort()).toEqual(["creditsPerImage", "kind"]);
    expect(issueOf("sizes", "512x512", { displayName: "512", enabled: true, width: 512, height: 0, creditMultiplier: 1 }).fields[0]).toMatch(/^height:/);
    expect(issueOf("styles", "anime", { displayName: "Anime", enabled: "yes", prompt: "anime" }).fields[0]).toMatch(/^enabled:/);
  });

  it("one error names every bad entry with its fields", () => {
    const err = catalogError([issueOf("models", "A", { ...MODEL_A, training: { ...MODEL_A.training, creditsPerRun: 0 } }), issueOf("colors", "sepia", { enabled: false })]);
    expect(err.message).toMatch(/^catalog invalid: 2 entries must be fixed in Firestore: models\/A \(training\.creditsPerRun: .+\), colors\/sepia \(displayName: .+; prompt: .+\)$/);
  });
});
