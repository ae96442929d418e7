import { admitCreate, admitDaily, admitPrincipal } from "../../src/requests/rateLimit";

describe("admitCreate", () => {
  const t0 = 1_700_000_000_000;

  it("admits up to the limit within a minute, then refuses with the wait until the window ends", () => {
    let window = undefined as Parameters<typeof admitCreate>[0];
    for (let i = 0; i < 3; i++) {
      const d = admitCreate(window, t0 + i * 1000, 3);
      expect(d.allowed).toBe(true);
      if (d.allowed) window = d.next;
    }
    expect(window).toEqual({ startMs: t0, count: 3 });
    expect(admitCreate(window, t0 + 20_000, 3)).toEqual({ allowed: false, retryAfterSeconds: 40 });
    expect(admitCreate(window, t0 + 59_999, 3)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it("opens a new window after a minute, and after a clock that went backwards", () => {
    const full = { startMs: t0, count: 3 };
    expect(admitCreate(full, t0 + 60_000, 3)).toEqual({ allowed: true, next: { startMs: t0 + 60_000, count: 1 } });
    expect(admitCreate(full, t0 - 5_000, 3)).toEqual({ allowed: true, next: { startMs: t0 - 5_000, count: 1 } });
  });
});

describe("admitDaily", () => {
  const noon = Date.parse("2026-11-21T12:00:00Z");

  it("counts per UTC day and tells a refused caller how long until midnight UTC", () => {
    expect(admitDaily(undefined, noon, 2)).toEqual({ allowed: true, next: { day: "2026-11-21", count: 1 } });
    expect(admitDaily({ day: "2026-11-21", count: 1 }, noon, 2)).toEqual({ allowed: true, next: { day: "2026-11-21", count: 2 } });
    expect(admitDaily({ day: "2026-11-21", count: 2 }, noon, 2)).toEqual({ allowed: false, retryAfterSeconds: 12 * 3600 });
    expect(admitDaily({ day: "2026-11-21", count: 2 }, Date.parse("2026-11-21T23:59:59.500Z"), 2)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it("starts afresh on a new day", () => {
    expect(admitDaily({ day: "2026-11-20", count: 99 }, noon, 2)).toEqual({ allowed: true, next: { day: "2026-11-21", count: 1 } });
  });
});

describe("admitPrincipal", () => {
  const t0 = Date.parse("2026-11-21T12:00:00Z");
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
      return "ok";
    } catch (e) {
      return `${(e as { code: string }).code} ${(e as { details: { retryAfterSeconds: number } }).details.retryAfterSeconds}`;
    }
  };

  it("applies the per-minute window alone when there is no daily quota", () => {
    expect(admitPrincipal({}, { perMinute: 5, dailyQuota: null, countDaily: false }, t0)).toEqual({ createWindow: { startMs: t0, count: 1 } });
    expect(codeOf(() => admitPrincipal({ createWindow: { startMs: t0, count: 5 } }, { perMinute: 5, dailyQuota: null, countDaily: false }, t0 + 15_000))).toBe("RATE_LIMITED 45");
  });

  it("counts the day without a quota when asked to", () => {
    expect(admitPrincipal({ dailyUsage: { day: "2026-11-20", count: 7 } }, { perMinute: 5, dailyQuota: null, countDaily: true }, t0)).toEqual({
      createWindow: { startMs: t0, count: 1 }, dailyUsage: { day: "2026-11-21", count: 1 },
    });
  });

  it("updates both counters, and reports the quota when both are exhausted", () => {
    expect(admitPrincipal({ dailyUsage: { day: "2026-11-21", count: 1 } }, { perMinute: 5, dailyQuota: 3, countDaily: true }, t0)).toEqual({
      createWindow: { startMs: t0, count: 1 }, dailyUsage: { day: "2026-11-21", count: 2 },
    });
    const both = { createWindow: { startMs: t0, count: 5 }, dailyUsage: { day: "2026-11-21", count: 3 } };
    expect(codeOf(() => admitPrincipal(both, { perMinute: 5, dailyQuota: 3, countDaily: true }, t0))).toBe(`QUOTA_EXCEEDED ${12 * 3600}`);
  });
});
