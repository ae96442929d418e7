import sharp from "sharp";
import { assembleReport, delta, trend } from "../../src/reports/assemble";
import { niceMax, trendChartSvg } from "../../src/reports/chart";
import { renderPng } from "../../src/reports/chart-png";
import { bisectPercentiles, durationGrid, nearestRank, type DurationSource } from "../../src/reports/percentile";
import { aggregationReads } from "../../src/reports/reads";
import type { HistoryInputs, WeekInputs, WeekTotals } from "../../src/reports/types";

function memorySource(values: number[]) {
  const calls = { counts: 0, reads: 0 };
  const source: DurationSource = {
    countAtMost: async (x) => {
      calls.counts++;
      return values.filter((v) => v <= x).length;
    },
    valuesBetween: async (lo, hi) => {
      const vs = values.filter((v) => v > lo && v <= hi);
      calls.reads += vs.length;
      return vs;
    },
  };
  return { source, calls };
}

describe("duration percentiles by bisection", () => {
  it("finds exact nearest-rank percentiles with few counts when buckets are small", async () => {
    const values = Array.from({ length: 500 }, (_, i) => 200 + ((i * 7919) % 60_000));
    const { source, calls } = memorySource(values);
    const r = await bisectPercentiles(source, values.length, [0.5, 0.95]);
    const sorted = [...values].sort((a, b) => a - b);
    expect(r).toEqual({ values: [nearestRank(sorted, 0.5), nearestRank(sorted, 0.95)], exact: true });
    expect(calls.counts).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(durationGrid().length + 1)));
  });

  it("reports the bucket's upper bound (at most 5 % high) when the bucket is too full to read", async () => {
    const values = Array.from({ length: 5000 }, (_, i) => 10_000 + (i % 100));
    const { source, calls } = memorySource(values);
    const r = await bisectPercentiles(source, values.length, [0.5], { refineLimit: 100 });
    expect(r.exact).toBe(false);
    expect(r.values[0]!).toBeGreaterThanOrEqual(10_050);
    expect(r.values[0]!).toBeLessThanOrEqual(10_050 * 1.05);
    expect(calls.reads).toBe(0);
  });

  it("handles no samples, one sample and durations beyond the grid", async () => {
    expect(await bisectPercentiles(memorySource([]).source, 0, [0.5])).toEqual({ values: [null], exact: true });
    expect((await bisectPercentiles(memorySource([1234]).source, 1, [0.5, 0.95])).values).toEqual([1234, 1234]);
    expect((await bisectPercentiles(memorySource([5, 9e9]).source, 2, [0.95])).values).toEqual([9e9]);
  });

  it("uses a grid of 5 % steps", () => {
    const g = durationGrid();
    expect(g[0]).toBe(0);
    for (let i = 2; i < g.length; i++) expect(g[i] / g[i - 1]).toBeLessThanOrEqual(1.06);
    expect(g[g.length - 1]).toBeGreaterThanOrEqual(2 * 3600_000);
  });
});

describe("aggregation billing", () => {
  it("charges 1 read per started 1,000 index entries, minimum 1", () => {
    expect([0, 1, 1000, 1001, 100_000].map(aggregationReads)).toEqual([1, 1, 1, 2, 100]);
  });
});

const totals = (total: number, failed = 0, cancelled = 0, debited = total): WeekTotals => ({
  requests: { queued: 0, running: 0, succeeded: total - failed - cancelled, failed, cancelled, total },
  images: total - failed - cancelled,
  credits: { debited, refunded: failed + cancelled, granted: 10, adjusted: -2, expired: 3, clawedBack: 1, grantedBySource: { plan: 5, pack: 4, promo: 0, admin: 1 } },
});

function inputs(current: number, userNow: number): { cur: WeekInputs; hist: HistoryInputs } {
  const weeks = Array.from({ length: 12 }, (_, i) => `2031-W${String(i + 7).padStart(2, "0")}`);
  return {
    cur: {
      week: "2031-W19",
      totals: totals(current, 4, 2),
      durations: { samples: 0, p50: null, p95: null, exact: true },
      byModel: [{ id: "A", displayName: "Model A", requests: current, credits: current }],
      byStyle: [],
      activeUsers: 2,
      topUsers: [
        { uid: "u_big", requests: userNow, images: userNow, creditsDebited: userNow, creditsRefunded: 0 },
        { uid: "u_small", requests: 5, images: 5, creditsDebited: 5, creditsRefunded: 0 },
      ],
    },
    hist: {
      weeks,
      generations: weeks.map(() => 100),
      creditsDebited: weeks.map(() => 100),
      byModel: { A: weeks.map(() => 100) },
      byUser: { u_big: weeks.map(() => 10), u_small: weeks.map(() => 5) },
      activeSince: { global: 0, byModel: { A: 0 }, byUser: { u_big: 0, u_small: 0 } },
      previous: totals(80, 8, 0),
      fromStoredReports: [],
    },
  };
}

const OPTS = { now: new Date("2031-06-01T00:00:00Z"), timeZone: "UTC", userCandidates: 20, topUsers: 10, chartWeeks: 12 };

describe("assembleReport", () => {
  it("computes rates, net credits and week-over-week deltas", () => {
    const { cur, hist } = inputs(100, 10);
    const r = assembleReport(cur, hist, OPTS);
    expect(r.rates).toEqual({ failure: 0.04, cancellation: 0.02 });
    // Expired and clawed-back credits leave the system like debits do (issue 16).
    expect(r.credits).toEqual({ debited: 100, refunded: 6, granted: 10, adjusted: -2, expired: 3, clawedBack: 1, grantedBySource: { plan: 5, pack: 4, promo: 0, admin: 1 }, net: -90 });
    expect(r.deltas.requests).toEqual({ current: 100, previous: 80, change: 20, pct: 0.25 });
    expect(r.deltas.failed).toEqual({ current: 4, previous: 8, change: -4, pct: -0.5 });
    expect(r.deltas.previousWeek).toBe("2031-W18");
    expect(r.complete).toBe(true);
    expect(r.start).toBe("2031-05-05T00:00:00.000Z");
    expect(r.anomalies).toEqual([]);
    expect(r).not.toHaveProperty("anomaly");
  });

  it("ranks a global spike above a user spike and names the user", () => {
    const { cur, hist } = inputs(300, 60);
    const r = assembleReport(cur, hist, OPTS);
    expect(r.anomalies.map((a) => `${a.scope}:${a.subject}:${a.metric}`)).toEqual(["global:all:generations", "global:all:credits", "model:A:generations", "user:u_big:generations"]);
    expect(r.anomaly).toBe(r.anomalies[0].reason);
    expect(r.anomalies[3].reason).toBe("Usage spike for user u_big: 60 generations this week, expected about 10 from the last 12 weeks: 6.0× the expected level; chance below 1 in a million under normal variation.");
    expect(r.trend[11]).toEqual({ week: "2031-W19", generations: 300, credits: 300, anomalous: true });
  });

  it("only checks the configured number of candidate users", () => {
    const { cur, hist } = inputs(100, 60);
    expect(assembleReport(cur, hist, { ...OPTS, userCandidates: 0 }).anomalies).toEqual([]);
  });

  it("marks earlier anomalous weeks in the trend against the weeks before them", () => {
    const { cur, hist } = inputs(100, 10);
    hist.generations[8] = 500;
    const points = trend(cur, hist, 12);
    expect(points).toHaveLength(12);
    expect(points.filter((p) => p.anomalous).map((p) => p.week)).toEqual(["2031-W15"]);
  });

  it("compares each series only with the weeks since it began", () => {
    const { cur, hist } = inputs(100, 60);
    // u_big's first week is the report's: zero-filled it would read 60 against "about 0".
    hist.byUser.u_big = hist.weeks.map(() => 0);
    hist.activeSince.byUser.u_big = hist.weeks.length;
    expect(assembleReport(cur, hist, OPTS).anomalies).toEqual([]);
    // Began three weeks ago at 10 a week: 60 is a spike, and the reason says the series is new.
    hist.byUser.u_big = hist.weeks.map((_, i) => (i >= 9 ? 10 : 0));
    hist.activeSince.byUser.u_big = 9;
    const [a] = assembleReport(cur, hist, OPTS).anomalies;
    expect(a).toMatchObject({ scope: "user", subject: "u_big", baseline: 10 });
    expect(a.reason).toContain("expected about 10 from the last 3 weeks (a new series: 3 earlier weeks)");
  });

  it("marks trend weeks only against the deployment's own earlier weeks", () => {
    const { cur, hist } = inputs(100, 10);
    hist.generations = hist.weeks.map((_, i) => (i < 6 ? 0 : 100));
    hist.creditsDebited = [...hist.generations];
    hist.activeSince.global = 6;
    expect(trend(cur, hist, 12).some((p) => p.anomalous)).toBe(false);
    // Zero-filled, the first two active weeks would read as bursts after empty weeks.
    hist.activeSince.global = 0;
    expect(trend(cur, hist, 12).filter((p) => p.anomalous).map((p) => p.week)).toEqual([hist.weeks[6], hist.weeks[7]]);
  });

  it("gives no relative delta from zero", () => {
    expect(delta(5, 0)).toEqual({ current: 5, previous: 0, change: 5, pct: null });
  });
});

describe("trend chart", () => {
  const points = Array.from({ length: 12 }, (_, i) => ({ week: `2031-W${String(i + 8).padStart(2, "0")}`, generations: 40 + i, credits: 60 + 2 * i, anomalous: i === 11 }));

  it("draws one bar per week, the credits line, and marks anomalous weeks", () => {
    const svg = trendChartSvg(points, "Weekly trend to 2031-W19 <test>");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/<rect x=/g)).toHaveLength(12 + 2);
    expect(svg.match(/<circle /g)).toHaveLength(12);
    expect(svg).toContain("<polyline");
    expect(svg.match(/▲ spike/g)).toHaveLength(1);
    expect(svg).toContain("W19");
    expect(svg).toContain("&lt;test&gt;");
  });

  it("renders to a PNG of the declared size, also with no data", async () => {
    for (const ps of [points, points.map((p) => ({ ...p, generations: 0, credits: 0, anomalous: false }))]) {
      const png = await renderPng(trendChartSvg(ps, "t"));
      expect(await sharp(png).metadata()).toMatchObject({ format: "png", width: 800, height: 400 });
    }
  });

  it("rounds axis maxima to readable values", () => {
    expect([0, 3, 7, 42, 101, 999, 1001].map(niceMax)).toEqual([4, 4, 8, 60, 200, 1000, 2000]);
  });
});
