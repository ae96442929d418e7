// Pure: the daily counter documents of one wallet (one per day that had any activity) turned into
// getUsage's rows and its CSV. Reads are by day, never by request, so the cost of a reply
// depends on the range only.
import { ApiError } from "../http/errors";
import { FIGURES, NO_KEY, type UsageFigures } from "./counters";
import type { UsageRow } from "./schema";

export type DailyDoc = Partial<UsageFigures> & {
  byModel?: Record<string, Partial<UsageFigures>>;
  byKey?: Record<string, Partial<UsageFigures>>;
  /** An organisation's wallet: per member who made the jobs. */
  byMember?: Record<string, Partial<UsageFigures>>;
};

export type GroupBy = "day" | "model" | "key" | "member";

/** The key column for jobs made without an API key. */
export const SIGNED_IN = "signed-in";
const DAY_MS = 86_400_000;

/** Every day from `from` to `to`, inclusive (calendar dates, no time zone arithmetic needed). */
export function daysBetween(from: string, to: string, max: number): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (end < start) throw new ApiError("INVALID_ARGUMENT", `to (${to}) is before from (${from})`, { fields: [{ path: "to", message: "before from" }] });
  const n = (end - start) / DAY_MS + 1;
  if (n > max) throw new ApiError("INVALID_ARGUMENT", `the range has ${n} days; at most ${max}`, { fields: [{ path: "from", message: `range over ${max} days` }] });
  return Array.from({ length: n }, (_, i) => new Date(start + i * DAY_MS).toISOString().slice(0, 10));
}

/** The day `days - 1` days before `day`: the default start of a range of `days` days. */
export function dayBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * `docs` maps a day to one wallet's counter document (absent: no activity). `self` names the
 * wallet's owner: a user's own wallet has no per-member split, so its one member row is the user.
 */
export function usageRows(days: readonly string[], docs: ReadonlyMap<string, DailyDoc>, groupBy: GroupBy, self: string): UsageRow[] {
  if (groupBy === "day") return days.map((day) => row(day, [docs.get(day) ?? {}]));
  const perMember = [...docs.values()].some((d) => d.byMember);
  if (groupBy === "member" && !perMember) return [row(self, days.map((day) => docs.get(day) ?? {}))];
  const groups = new Map<string, Partial<UsageFigures>[]>();
  for (const day of days) {
    const d = docs.get(day);
    const split = groupBy === "model" ? d?.byModel : groupBy === "key" ? d?.byKey : d?.byMember;
    for (const [k, f] of Object.entries(split ?? {})) {
      const key = groupBy === "key" && k === NO_KEY ? SIGNED_IN : k;
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
  }
  return [...groups.entries()].map(([k, fs]) => row(k, fs)).sort((a, b) => b.creditsDebited - a.creditsDebited || a.key.localeCompare(b.key));
}

export function totalsOf(rows: readonly UsageRow[]): Omit<UsageRow, "key"> {
  const { key: _key, ...sum } = row("", rows.map((r) => ({ ...r, gpuMs: Math.round(r.gpuSeconds * 1000) })));
  return sum;
}

function row(key: string, parts: readonly Partial<UsageFigures>[]): UsageRow {
  const sum: UsageFigures = { requests: 0, images: 0, creditsDebited: 0, creditsRefunded: 0, gpuMs: 0 };
  for (const p of parts) for (const f of FIGURES) sum[f] += typeof p[f] === "number" ? (p[f] as number) : 0;
  const { gpuMs, ...rest } = sum;
  return { key, ...rest, gpuSeconds: gpuMs / 1000 };
}

const CSV_COLUMNS = ["key", "requests", "images", "creditsDebited", "creditsRefunded", "gpuSeconds"] as const;

/** RFC 4180 text with a header line; keys are ids or days, quoted only when they need it. */
export function usageCsv(rows: readonly UsageRow[], keyHeader: string): string {
  const cell = (v: string | number) => (typeof v === "string" && /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v));
  const lines = [[keyHeader, ...CSV_COLUMNS.slice(1)].join(",")];
  for (const r of rows) lines.push(CSV_COLUMNS.map((c) => cell(r[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
