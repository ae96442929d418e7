// ISO-8601 weeks in UTC ("2026-W47"): Monday 00:00 to the next Monday 00:00.
const DAY_MS = 86_400_000;

export interface IsoWeekRange {
  week: string;
  start: Date;
  end: Date;
}

export function isoWeekOf(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const dayNum = d.getUTCDay() || 7;
  // The ISO year is the year of the week's Thursday.
  d.setUTCDate(d.getUTCDate() + 4 - dayNum);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

export function parseIsoWeek(week: string): IsoWeekRange {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) throw new Error(`not an ISO week: ${week}`);
  const year = Number(m[1]);
  const num = Number(m[2]);
  // Jan 4th is always in week 1.
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const week1Monday = jan4.getTime() - ((jan4.getUTCDay() || 7) - 1) * DAY_MS;
  const start = new Date(week1Monday + (num - 1) * 7 * DAY_MS);
  if (num < 1 || isoWeekOf(start) !== week) throw new Error(`not an ISO week: ${week}`);
  return { week, start, end: new Date(start.getTime() + 7 * DAY_MS) };
}

/** The week `offset` weeks from `week` (negative = earlier). */
export function shiftIsoWeek(week: string, offset: number): string {
  return isoWeekOf(new Date(parseIsoWeek(week).start.getTime() + offset * 7 * DAY_MS));
}

/** The last complete ISO week before `now`. */
export function lastCompleteIsoWeek(now: Date): string {
  return shiftIsoWeek(isoWeekOf(now), -1);
}
