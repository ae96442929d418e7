// Usage counters, written in the same transaction (or, for creates, the same batch) as the money
// movement they count: per user and week for the reports (`usageWeekly`), and per user and day
// with per-model and per-key figures for getUsage (`usageDaily`). One document per user and
// period, so no document is shared by all users. Increments need no precondition: concurrent
// commits add up.
import { FieldValue, type DocumentReference, type Firestore, type SetOptions } from "firebase-admin/firestore";
import { calendarDayOf, isoWeekOf, reportTimeZone } from "../shared/isoWeek";
import { dailyIncrements, type UsageFigures, type UsagePart } from "../usage/counters";

/** A transaction or a write batch: either can carry the counter in the same commit. */
export interface MergeWriter {
  set(ref: DocumentReference, data: Record<string, unknown>, options: SetOptions): unknown;
}

export type { UsagePart } from "../usage/counters";

/** Weeks of the report's calendar (REPORT_TIME_ZONE), so the counters add up to the report's totals. */
export function usageDocPath(uid: string, when: Date): string {
  return `usageWeekly/${isoWeekOf(when, reportTimeZone())}_${uid}`;
}

/** Days of the same calendar. */
export function usageDailyPath(uid: string, day: string): string {
  return `usageDaily/${day}_${uid}`;
}

/**
 * Counts `parts` against the period `when` falls in (a refund counts on its request's creation
 * day, so a row's refunds match its debits).
 */
export function addUsage(db: Firestore, tx: MergeWriter, uid: string, when: Date, parts: UsagePart | readonly UsagePart[], now: Date) {
  const inc = dailyIncrements(Array.isArray(parts) ? parts : [parts as UsagePart]);
  if (!Object.keys(inc.totals).length) return;
  const tz = reportTimeZone();
  const week = isoWeekOf(when, tz);
  tx.set(db.doc(`usageWeekly/${week}_${uid}`), { uid, week, ...increments(inc.totals), updatedAt: now }, { merge: true });
  const day = calendarDayOf(when, tz);
  const nested = (g: Record<string, Partial<UsageFigures>>) => Object.fromEntries(Object.entries(g).map(([k, v]) => [k, increments(v)]));
  const byOrg = Object.keys(inc.byOrg).length ? { byOrg: nested(inc.byOrg) } : {};
  tx.set(db.doc(usageDailyPath(uid, day)), { uid, day, ...increments(inc.totals), byModel: nested(inc.byModel), byKey: nested(inc.byKey), ...byOrg, updatedAt: now }, { merge: true });
}

function increments(f: Partial<UsageFigures>): Record<string, FieldValue> {
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, FieldValue.increment(v as number)]));
}
