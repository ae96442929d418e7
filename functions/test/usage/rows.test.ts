import { NO_KEY } from "../../src/usage/counters";
import { dayBefore, daysBetween, SIGNED_IN, totalsOf, usageCsv, usageRows, type DailyDoc } from "../../src/usage/rows";

const docs = new Map<string, DailyDoc>([
  ["2026-11-02", {
    requests: 3, images: 5, creditsDebited: 9, creditsRefunded: 2, gpuMs: 4_500,
    byModel: { A: { requests: 2, images: 4, creditsDebited: 4, creditsRefunded: 2, gpuMs: 3_000 }, train: { creditsDebited: 5, gpuMs: 1_500 } },
    byKey: { [NO_KEY]: { requests: 1, images: 2, creditsDebited: 7, gpuMs: 2_000 }, k1: { requests: 2, images: 3, creditsDebited: 2, creditsRefunded: 2, gpuMs: 2_500 } },
  }],
  ["2026-11-04", { requests: 1, images: 1, creditsDebited: 1, gpuMs: 1, byModel: { A: { requests: 1, images: 1, creditsDebited: 1, gpuMs: 1 } }, byKey: { k1: { requests: 1, images: 1, creditsDebited: 1, gpuMs: 1 } } }],
]);
const days = daysBetween("2026-11-01", "2026-11-04", 366);

describe("usageRows (getUsage's rows from daily counters)", () => {
  it("groupBy day: one row per day of the range, empty days as zeros", () => {
    expect(days).toEqual(["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"]);
    const rows = usageRows(days, docs, "day", "u1");
    expect(rows.map((r) => [r.key, r.creditsDebited, r.gpuSeconds])).toEqual([["2026-11-01", 0, 0], ["2026-11-02", 9, 4.5], ["2026-11-03", 0, 0], ["2026-11-04", 1, 0.001]]);
    expect(totalsOf(rows)).toEqual({ requests: 4, images: 6, creditsDebited: 10, creditsRefunded: 2, gpuSeconds: 4.501 });
  });

  it("groupBy model and key: summed over the range, biggest spend first (ties by name); jobs without a key are `signed-in`", () => {
    expect(usageRows(days, docs, "model", "u1")).toEqual([
      { key: "A", requests: 3, images: 5, creditsDebited: 5, creditsRefunded: 2, gpuSeconds: 3.001 },
      { key: "train", requests: 0, images: 0, creditsDebited: 5, creditsRefunded: 0, gpuSeconds: 1.5 },
    ]);
    expect(usageRows(days, docs, "key", "u1").map((r) => [r.key, r.requests, r.creditsDebited])).toEqual([[SIGNED_IN, 1, 7], ["k1", 3, 3]]);
  });

  it("groupBy member: on a user's wallet the user; on an organisation's, one row per member, biggest spend first", () => {
    expect(usageRows(days, docs, "member", "u1")).toEqual([{ key: "u1", requests: 4, images: 6, creditsDebited: 10, creditsRefunded: 2, gpuSeconds: 4.501 }]);
    const org = new Map<string, DailyDoc>([
      ["2026-11-02", { requests: 3, creditsDebited: 5, byMember: { m1: { requests: 1, creditsDebited: 1 }, m2: { requests: 2, creditsDebited: 4, gpuMs: 10 } } }],
      ["2026-11-03", { requests: 1, creditsDebited: 2, byMember: { m1: { requests: 1, creditsDebited: 2 } } }],
    ]);
    expect(usageRows(days, org, "member", "o1")).toEqual([
      { key: "m2", requests: 2, images: 0, creditsDebited: 4, creditsRefunded: 0, gpuSeconds: 0.01 },
      { key: "m1", requests: 2, images: 0, creditsDebited: 3, creditsRefunded: 0, gpuSeconds: 0 },
    ]);
  });

  it("refuses a range that ends before it starts or is longer than allowed", () => {
    expect(() => daysBetween("2026-11-04", "2026-11-01", 366)).toThrow(/before from/);
    expect(() => daysBetween("2025-01-01", "2026-12-31", 366)).toThrow(/at most 366/);
    expect(daysBetween("2026-12-31", "2027-01-01", 2)).toEqual(["2026-12-31", "2027-01-01"]);
    expect(dayBefore("2026-03-01", 1)).toBe("2026-02-28");
  });
});

describe("usageCsv", () => {
  it("writes a header named after the grouping and one line per row, quoting only what needs it", () => {
    const csv = usageCsv([{ key: "a,b", requests: 1, images: 2, creditsDebited: 3, creditsRefunded: 0, gpuSeconds: 1.25 }, { key: "2026-11-02", requests: 0, images: 0, creditsDebited: 0, creditsRefunded: 0, gpuSeconds: 0 }], "model");
    expect(csv).toBe('model,requests,images,creditsDebited,creditsRefunded,gpuSeconds\r\n"a,b",1,2,3,0,1.25\r\n2026-11-02,0,0,0,0,0\r\n');
  });
});
