// ISO-8601 weeks ("2026-W47"), Monday 00:00 to the next Monday 00:00 in a time zone (UTC unless
// given). The weekly report and the per-user usage counters use the report's zone
// (REPORT_TIME_ZONE, see reportTimeZone), so a report that runs at Monday 00:05 local time finds
// the week that has just ended, whatever the zone's offset from UTC.
const DAY_MS = 86_400_000;

export interface IsoWeekRange {
  week: string;
  start: Date;
  end: Date;
}

/** The ISO week that `date` falls in, by its calendar date in `timeZone`. */
export function isoWeekOf(date: Date, timeZone = "UTC"): string {
  const { year, month, day } = wallClock(date, timeZone);
  return isoWeekOfDay(year, month, day);
}

/** The calendar day ("2026-11-30") that `date` falls on in `timeZone`: the usage counters' day. */
export function calendarDayOf(date: Date, timeZone = "UTC"): string {
  const { year, month, day } = wallClock(date, timeZone);
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** The week's first and last instants (end exclusive): local Monday midnights in `timeZone`. */
export function parseIsoWeek(week: string, timeZone = "UTC"): IsoWeekRange {
  const monday = mondayOf(week);
  const next = new Date(monday.getTime() + 7 * DAY_MS);
  return { week, start: zonedMidnight(monday, timeZone), end: zonedMidnight(next, timeZone) };
}

/** The week `offset` weeks from `week` (negative = earlier). */
export function shiftIsoWeek(week: string, offset: number): string {
  const d = new Date(mondayOf(week).getTime() + offset * 7 * DAY_MS);
  return isoWeekOfDay(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** The last complete ISO week before `now`, in `timeZone`. */
export function lastCompleteIsoWeek(now: Date, timeZone = "UTC"): string {
  return shiftIsoWeek(isoWeekOf(now, timeZone), -1);
}

/**
 * IANA time zone of the report calendar (REPORT_TIME_ZONE in functions/.env, default UTC): when
 * the Monday 00:05 schedule fires and where report weeks start and end. Read from the
 * environment rather than getConfig() because the deployed schedule needs it when the
 * functions are loaded; a `defineString` param would do the same but makes the emulator stop
 * and prompt for it.
 */
export function reportTimeZone(env: NodeJS.ProcessEnv = process.env): string {
  const tz = env.REPORT_TIME_ZONE?.trim() || "UTC";
  try {
    formatter(tz);
  } catch {
    throw new Error(`REPORT_TIME_ZONE is not a valid IANA time zone: ${tz}`);
  }
  return tz;
}

/** Monday of the week as a UTC midnight carrying that Monday's calendar date. */
function mondayOf(week: string): Date {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) throw new Error(`not an ISO week: ${week}`);
  const [year, num] = [Number(m[1]), Number(m[2])];
  // Jan 4th is always in week 1.
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday = new Date(jan4.getTime() - ((jan4.getUTCDay() || 7) - 1) * DAY_MS + (num - 1) * 7 * DAY_MS);
  if (num < 1 || isoWeekOfDay(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate()) !== week) {
    throw new Error(`not an ISO week: ${week}`);
  }
  return monday;
}

function isoWeekOfDay(year: number, month: number, day: number): string {
  const d = new Date(Date.UTC(year, month - 1, day));
  const dayNum = d.getUTCDay() || 7;
  // The ISO year is the year of the week's Thursday.
  d.setUTCDate(d.getUTCDate() + 4 - dayNum);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** The instant of 00:00 on the calendar day of `day` (a UTC midnight) in `timeZone`. */
export function zonedMidnight(day: Date, timeZone: string): Date {
  if (timeZone === "UTC") return day;
  // Two passes settle the offset across a DST change; where midnight does not exist (a few
  // zones switch at 00:00) this lands on the first instant of the day.
  const wall = day.getTime();
  const first = wall - offsetMs(new Date(wall), timeZone);
  return new Date(wall - offsetMs(new Date(first), timeZone));
}

/** How far the zone's wall clock is ahead of UTC at `instant`. */
function offsetMs(instant: Date, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(instant.getTime() / 1000) * 1000;
}

export function wallClock(date: Date, timeZone: string) {
  if (timeZone === "UTC") {
    return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: date.getUTCHours(), minute: date.getUTCMinutes(), second: date.getUTCSeconds() };
  }
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(date).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second) };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    formatters.set(timeZone, f);
  }
  return f;
}
