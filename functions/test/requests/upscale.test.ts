// Upscale/refine resolution, the mask size rule and the catalog's upscale block: pure.
import { parseEntry } from "../../src/catalog/schema";
import { ApiError } from "../../src/http/errors";
import { checkMaskSize } from "../../src/requests/mask";
import { priceOf } from "../../src/requests/pricing";
import { resolveUpscale } from "../../src/requests/upscale";

const MODEL = {
  id: "A", steps: 25,
  upscale: { "2": { upscaleModel: "x2.pth", creditMultiplier: 2, refineCreditMultiplier: 3 }, "4": { upscaleModel: "x4.pth", creditMultiplier: 4 } },
};
const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return (e as ApiError).details as { fields: { path: string }[] };
  }
  throw new Error("expected a refusal");
};

describe("resolveUpscale", () => {
  it("is null without upscale, and names the model file, the multiplier and the refine pass with it", () => {
    expect(resolveUpscale(MODEL, undefined, undefined)).toBeNull();
    expect(resolveUpscale(MODEL, 4, false)).toEqual({ spec: { factor: 4, model: "x4.pth" }, creditMultiplier: 4 });
    // Refine: the refine multiplier, half the model's steps (rounded), denoise at most 0.5.
    const refined = resolveUpscale(MODEL, 2, true)!;
    expect(refined).toEqual({ spec: { factor: 2, model: "x2.pth", refine: { denoise: 0.35, steps: 13 } }, creditMultiplier: 3 });
    expect(refined.spec.refine!.denoise).toBeLessThanOrEqual(0.5);
  });

  it("refuses what the model does not offer, naming the field", () => {
    expect(fieldOf(() => resolveUpscale(MODEL, 4, true)).fields[0].path).toBe("refine");
    expect(fieldOf(() => resolveUpscale({ id: "B", steps: 20 }, 2, false)).fields[0].path).toBe("upscale");
    expect(fieldOf(() => resolveUpscale(MODEL, undefined, true)).fields[0].path).toBe("refine");
  });

  it("prices sizes × upscale multiplier", () => {
    expect(priceOf({ creditsPerImage: 2 }, { creditMultiplier: 4 }, 3, 8)).toBe(2 * 4 * 3 * 8);
    expect(priceOf({ creditsPerImage: 2 }, { creditMultiplier: 4 }, 3)).toBe(24);
  });
});

describe("the mask size rule", () => {
  it("accepts exactly the input's size and refuses anything else, naming the field and both sizes", () => {
    expect(() => checkMaskSize({ width: 96, height: 64 }, { width: 96, height: 64 }, "maskImage")).not.toThrow();
    expect(() => checkMaskSize({ width: 64, height: 96 }, { width: 96, height: 64 }, "maskUploadId")).toThrow("maskUploadId: is 64x96; it must have the input image's size, 96x64");
  });
});

describe("the catalog's upscale block", () => {
  const model = { displayName: "M", enabled: true, creditsPerImage: 1, workflow: "txt2img", kind: "text-to-image", steps: 20 };
  it("accepts factors 2 and 4 and refuses another factor or a free multiplier", () => {
    expect("item" in parseEntry("models", "m", { ...model, upscale: MODEL.upscale })).toBe(true);
    const bad = (upscale: unknown) => parseEntry("models", "m", { ...model, upscale });
    expect(bad({ "3": { upscaleModel: "x3.pth", creditMultiplier: 3 } })).toEqual({ issue: expect.objectContaining({ entry: "models/m" }) });
    expect(bad({ "2": { upscaleModel: "x2.pth", creditMultiplier: 0 } })).toEqual({ issue: { entry: "models/m", fields: [expect.stringMatching(/^upscale\.2\.creditMultiplier/)] } });
  });
});
