import { busyTime, gaps, median, percentile, ratio, summarize } from "../lib/stats.mjs";

describe("bench statistics", () => {
  it("percentile is nearest-rank: always a measured value", () => {
    const xs = [5, 1, 4, 2, 3];
    expect(percentile(xs, 50)).toBe(3);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile(xs, 100)).toBe(5);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
    expect(percentile([], 50)).toBeNaN();
    expect(xs).toEqual([5, 1, 4, 2, 3]);
  });

  it("summarize gives median and spread, ignoring non-finite runs", () => {
    expect(summarize([3, 1, 2, NaN])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(summarize([])).toEqual({ median: null, min: null, max: null, n: 0 });
    expect(median([7])).toBe(7);
  });

  it("ratio refuses a zero or missing denominator", () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNull();
    expect(ratio(NaN, 2)).toBeNull();
  });

  it("gaps are idle times between consecutive intervals, overlaps count as 0", () => {
    expect(gaps([{ start: 10, end: 20 }, { start: 0, end: 5 }, { start: 25, end: 30 }])).toEqual([5, 5]);
    expect(gaps([{ start: 0, end: 10 }, { start: 5, end: 12 }, { start: 12, end: 13 }])).toEqual([0, 0]);
    expect(gaps([{ start: 0, end: 1 }])).toEqual([]);
  });

  it("busyTime is the length of the union of intervals", () => {
    expect(busyTime([{ start: 0, end: 10 }, { start: 5, end: 15 }, { start: 20, end: 25 }])).toBe(20);
    expect(busyTime([])).toBe(0);
  });
});
