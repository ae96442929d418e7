import { usageChart } from "../src/lib/usage-chart";

describe("usageChart", () => {
  it("scales bars to the most credits and the line to the most GPU-seconds, one slot per day", () => {
    const c = usageChart([{ key: "d1", creditsDebited: 10, gpuSeconds: 0 }, { key: "d2", creditsDebited: 5, gpuSeconds: 4 }], 200, 100);
    expect(c.maxCredits).toBe(10);
    expect(c.maxGpuSeconds).toBe(4);
    expect(c.bars.map((b) => [b.day, b.x, b.width, b.y, b.height])).toEqual([["d1", 15, 70, 0, 100], ["d2", 115, 70, 50, 50]]);
    expect(c.line).toBe("M50.0,100.0 L150.0,0.0");
  });

  it("draws flat zero bars and line for a range without usage, and nothing for no days", () => {
    const c = usageChart([{ key: "d1", creditsDebited: 0, gpuSeconds: 0 }], 100, 50);
    expect(c.bars[0]).toMatchObject({ height: 0, y: 50 });
    expect(c.line).toBe("M50.0,50.0");
    expect(usageChart([], 100, 50)).toEqual({ bars: [], line: "", maxCredits: 0, maxGpuSeconds: 0 });
  });
});
