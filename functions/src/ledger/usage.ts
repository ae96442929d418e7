// Usage counters, written in the same transaction (or, for creates, the same batch) as the money
// movement they count, per wallet: per week for the reports (`usageWeekly` for a user,
// `orgUsageWeekly` for an organisation, so per-user figures never count an organisation as a
// user), and per day with per-model, per-key and (organisations) per-member figures for getUsage
// (`usageDaily`, `orgUsageDaily`). One document per wallet and period, so no document is shared
// by all wallets. Increments need no precondition: concurrent commits add up.
import { FieldValue, type DocumentReference, type Firestore, type SetOptions } from "firebase-admin/firestore";
import { calendarDayOf, isoWeekOf, reportTimeZone } from "../shared/isoWeek";
import { dailyIncrements, type UsageFigures, type UsagePart } from "../usage/counters";
import type { WalletKind, WalletRef } from "./walletRef";

/** A transaction or a write batch: either can carry the counter in the same commit. */
export interface MergeWriter {
  set(ref: DocumentReference, data: Record<string, unknown>, options: SetOptions): unknown;
}

export type { UsagePart } from "../usage/counters";

/** Where each kind of wallet keeps its counters, and the field naming the wallet in them. */
export const USAGE_COLLECTIONS: Record<WalletKind, { weekly: string; daily: string; owner: "uid" | "orgId" }> = {
  user: { weekly: "usageWeekly", daily: "usageDaily", owner: "uid" },
  org: { weekly: "orgUsageWeekly", daily: "orgUsageDaily", owner: "orgId" },
};

/** Weeks of the report's calendar (REPORT_TIME_ZONE), so the counters add up to the report's totals. */
export function usageDocPath(uid: string, when: Date): string {
  return `usageWeekly/${isoWeekOf(when, reportTimeZone())}_${uid}`;
}

/** Days of the same calendar. */
export function usageDailyPath(wallet: WalletRef, day: string): string {
  return `${USAGE_COLLECTIONS[wallet.kind].daily}/${day}_${wallet.id}`;
}

/**
 * Counts `parts` against the wallet's periods `when` falls in (a refund counts on its request's
 * creation day, so a row's refunds match its debits).
 */
export function addUsage(db: Firestore, tx: MergeWriter, wallet: WalletRef, when: Date, parts: UsagePart | readonly UsagePart[], now: Date) {
  const inc = dailyIncrements(Array.isArray(parts) ? parts : [parts as UsagePart]);
  if (!Object.keys(inc.totals).length) return;
  const tz = reportTimeZone();
  const where = USAGE_COLLECTIONS[wallet.kind];
  const owner = { [where.owner]: wallet.id };
  const week = isoWeekOf(when, tz);
  tx.set(db.doc(`${where.weekly}/${week}_${wallet.id}`), { ...owner, week, ...increments(inc.totals), updatedAt: now }, { merge: true });
  const day = calendarDayOf(when, tz);
  const nested = (g: Record<string, Partial<UsageFigures>>) => Object.fromEntries(Object.entries(g).map(([k, v]) => [k, increments(v)]));
  const byMember = Object.keys(inc.byMember).length ? { byMember: nested(inc.byMember) } : {};
  tx.set(db.doc(usageDailyPath(wallet, day)), { ...owner, day, ...increments(inc.totals), byModel: nested(inc.byModel), byKey: nested(inc.byKey), ...byMember, updatedAt: now }, { merge: true });
}

function increments(f: Partial<UsageFigures>): Record<string, FieldValue> {
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, FieldValue.increment(v as number)]));
}
