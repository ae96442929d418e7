// Billing periods, pure: monthly, anchored on a day of the month and clamped at month end, the way
// Stripe's billing anchors work (anchor 31: Jan 31 → Feb 28/29 → Mar 31 → Apr 30).
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m + 1, 0)).getUTCDate();

/** The anchor day's date `months` months after `from`'s month, clamped, at `from`'s time of day (UTC). */
export function addMonthsAnchored(from: Date, months: number, anchorDay: number): Date {
  const y = from.getUTCFullYear();
  const m = from.getUTCMonth() + months;
  const ty = y + Math.floor(m / 12);
  const tm = ((m % 12) + 12) % 12;
  const day = Math.min(anchorDay, daysIn(ty, tm));
  return new Date(Date.UTC(ty, tm, day, from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds(), from.getUTCMilliseconds()));
}

export interface Period {
  start: Date;
  end: Date;
}

/** The period that follows one ending at `end`. */
export const nextPeriod = (end: Date, anchorDay: number): Period => ({ start: end, end: addMonthsAnchored(end, 1, anchorDay) });

/** The first period of a plan started at `start` (its day of month becomes the anchor). */
export function firstPeriod(start: Date): Period & { anchorDay: number } {
  const anchorDay = start.getUTCDate();
  return { start, end: addMonthsAnchored(start, 1, anchorDay), anchorDay };
}

/** The period containing `now`, walking forward from one that ended at or before it (a late renewal catches up once). */
export function periodContaining(end: Date, anchorDay: number, now: Date): Period {
  let p = nextPeriod(end, anchorDay);
  while (p.end.getTime() <= now.getTime()) p = nextPeriod(p.end, anchorDay);
  return p;
}

export const dayKey = (d: Date) => d.toISOString().slice(0, 10);
