import { dailyIncrements, gpuMsOf, NO_KEY, TRAINING_MODEL } from "../../src/usage/counters";

describe("dailyIncrements (what one commit adds to a wallet's day)", () => {
  it("sums a group commit's requests into totals, per model and per key", () => {
    const inc = dailyIncrements([
      { modelId: "sdxl", keyId: "k1", requests: 1, images: 2, creditsDebited: 4 },
      { modelId: "sdxl", keyId: null, requests: 1, images: 1, creditsDebited: 2 },
      { modelId: "flux", keyId: "k1", requests: 1, images: 4, creditsDebited: 12 },
    ]);
    expect(inc.totals).toEqual({ requests: 3, images: 7, creditsDebited: 18 });
    expect(inc.byModel).toEqual({ sdxl: { requests: 2, images: 3, creditsDebited: 6 }, flux: { requests: 1, images: 4, creditsDebited: 12 } });
    expect(inc.byKey).toEqual({ k1: { requests: 2, images: 6, creditsDebited: 16 }, [NO_KEY]: { requests: 1, images: 1, creditsDebited: 2 } });
    expect(inc.byMember).toEqual({});
  });

  it("counts an organisation wallet's jobs per member too, and leaves zero figures and empty groups out", () => {
    const inc = dailyIncrements([
      { modelId: TRAINING_MODEL, keyId: null, memberId: "m1", creditsRefunded: 50, gpuMs: 0 },
      { modelId: "sdxl", keyId: "k2", gpuMs: 0 },
    ]);
    expect(inc.totals).toEqual({ creditsRefunded: 50 });
    expect(inc.byModel).toEqual({ [TRAINING_MODEL]: { creditsRefunded: 50 } });
    expect(inc.byKey).toEqual({ [NO_KEY]: { creditsRefunded: 50 } });
    expect(inc.byMember).toEqual({ m1: { creditsRefunded: 50 } });
  });
});

describe("gpuMsOf", () => {
  it("turns a job's gpuSeconds into whole milliseconds; anything else counts nothing", () => {
    expect(gpuMsOf(1.2345)).toBe(1235);
    expect(gpuMsOf(0.001)).toBe(1);
    for (const bad of [undefined, null, -1, Number.NaN, Infinity, "3"]) expect(gpuMsOf(bad)).toBe(0);
  });
});
