// Billing periods: monthly, anchored, clamped at month end like Stripe's anchors.
import { addMonthsAnchored, firstPeriod, periodContaining } from "../../src/billing/period";

const d = (s: string) => new Date(`${s}T10:00:00.000Z`);
const day = (x: Date) => x.toISOString().slice(0, 10);

it("clamps at month end and returns to the anchor: Jan 31 → Feb 28/29 → Mar 31 → Apr 30", () => {
  expect([1, 2, 3].map((m) => day(addMonthsAnchored(d("2026-01-31"), m, 31)))).toEqual(["2026-02-28", "2026-03-31", "2026-04-30"]);
  expect(day(addMonthsAnchored(d("2028-01-31"), 1, 31))).toBe("2028-02-29");
  expect(day(addMonthsAnchored(d("2026-12-15"), 1, 15))).toBe("2027-01-15");
});

it("a plan started on the 31st keeps its anchor through short months", () => {
  const p = firstPeriod(d("2026-01-31"));
  expect([day(p.start), day(p.end), p.anchorDay]).toEqual(["2026-01-31", "2026-02-28", 31]);
});

it("a renewal run late grants the period containing now, not every missed one", () => {
  const p = periodContaining(d("2026-02-28"), 31, d("2026-05-02"));
  expect([day(p.start), day(p.end)]).toEqual(["2026-04-30", "2026-05-31"]);
});
