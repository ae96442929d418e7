import { isoWeekOf, lastCompleteIsoWeek, parseIsoWeek, reportTimeZone, shiftIsoWeek } from "../../src/shared/isoWeek";

describe("the report calendar in REPORT_TIME_ZONE", () => {
  // Monday 2031-05-12 00:05 in Berlin (CEST, UTC+2) is Sunday 22:05 in UTC.
  const mondayBerlin = new Date("2031-05-11T22:05:00Z");

  it("at Monday 00:05 CEST reports the week that has just ended, not the one before", () => {
    expect(lastCompleteIsoWeek(mondayBerlin, "Europe/Berlin")).toBe("2031-W19");
    // What the UTC calendar says at that instant: still Sunday, so W19 is not over yet.
    expect(lastCompleteIsoWeek(mondayBerlin, "UTC")).toBe("2031-W18");
    expect(lastCompleteIsoWeek(mondayBerlin, reportTimeZone({ REPORT_TIME_ZONE: "Europe/Berlin" }))).toBe("2031-W19");
  });

  it("starts and ends the week at local Monday midnight, so that week is complete at 00:05", () => {
    const { start, end } = parseIsoWeek("2031-W19", "Europe/Berlin");
    expect(start.toISOString()).toBe("2031-05-04T22:00:00.000Z");
    expect(end.toISOString()).toBe("2031-05-11T22:00:00.000Z");
    expect(end.getTime()).toBeLessThanOrEqual(mondayBerlin.getTime());
    expect(isoWeekOf(new Date("2031-05-11T21:30:00Z"), "Europe/Berlin")).toBe("2031-W19");
    expect(isoWeekOf(new Date("2031-05-11T22:30:00Z"), "Europe/Berlin")).toBe("2031-W20");
    expect(isoWeekOf(new Date("2031-05-11T22:30:00Z"), "UTC")).toBe("2031-W19");
  });

  it("follows daylight saving: the week the clocks go forward has 167 hours", () => {
    const { start, end } = parseIsoWeek("2031-W13", "Europe/Berlin");
    expect(start.toISOString()).toBe("2031-03-23T23:00:00.000Z");
    expect(end.toISOString()).toBe("2031-03-30T22:00:00.000Z");
    expect((end.getTime() - start.getTime()) / 3_600_000).toBe(167);
  });

  it.each(["UTC", "Europe/Berlin", "America/Los_Angeles", "Pacific/Auckland", "Asia/Kolkata", "America/Santiago"])(
    "gives every instant of a week in %s that week, across years and DST changes",
    (tz) => {
      for (const week of ["2030-W52", "2031-W01", "2031-W13", "2031-W14", "2031-W43", "2031-W44", "2032-W53", "2033-W01"]) {
        const { start, end } = parseIsoWeek(week, tz);
        expect(isoWeekOf(start, tz)).toBe(week);
        expect(isoWeekOf(new Date(end.getTime() - 1), tz)).toBe(week);
        expect(isoWeekOf(end, tz)).toBe(shiftIsoWeek(week, 1));
        expect(parseIsoWeek(shiftIsoWeek(week, 1), tz).start).toEqual(end);
      }
    },
  );

  it("keeps UTC weeks when no zone is configured, and refuses a zone that does not exist", () => {
    expect(reportTimeZone({})).toBe("UTC");
    expect(reportTimeZone({ REPORT_TIME_ZONE: "  " })).toBe("UTC");
    expect(parseIsoWeek("2026-W47").start.toISOString()).toBe("2026-11-16T00:00:00.000Z");
    expect(() => reportTimeZone({ REPORT_TIME_ZONE: "Mars/Olympus" })).toThrow("REPORT_TIME_ZONE is not a valid IANA time zone: Mars/Olympus");
    expect(() => parseIsoWeek("2026-W54")).toThrow("not an ISO week");
  });
});
