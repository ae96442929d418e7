import { ETA_ALPHA, nextEstimate } from "../src/jobs/eta-stats.repo";

describe("the rolling execution-time estimate", () => {
  it("starts at the first sample and moves towards each new one by ETA_ALPHA", () => {
    const first = nextEstimate(null, 10);
    expect(first).toEqual({ meanSecondsPerImage: 10, samples: 1 });
    const second = nextEstimate(first, 20);
    expect(second).toEqual({ meanSecondsPerImage: 10 + ETA_ALPHA * 10, samples: 2 });
  });
});
