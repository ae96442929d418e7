// Per-user weekly counters for the reports, written in the same transaction (or, for creates, the
// same batch) as the money movement: one document per user and week, so no document is shared by
// all users. Increments need no precondition: concurrent commits add up.
import { FieldValue, type DocumentReference, type Firestore, type SetOptions } from "firebase-admin/firestore";
import { isoWeekOf, reportTimeZone } from "../shared/isoWeek";
import type { WalletRef } from "./walletRef";

/** A transaction or a write batch: either can carry the counter in the same commit. */
export interface MergeWriter {
  set(ref: DocumentReference, data: Record<string, unknown>, options: SetOptions): unknown;
}

export interface UsageDelta {
  requests?: number;
  images?: number;
  creditsDebited?: number;
  creditsRefunded?: number;
}

/** Weeks of the report's calendar (REPORT_TIME_ZONE), so the counters add up to the report's totals. */
export function usageDocPath(uid: string, when: Date): string {
  return `usageWeekly/${isoWeekOf(when, reportTimeZone())}_${uid}`;
}

/**
 * The counter of the wallet charged: a user's in `usageWeekly` (`uid`, as the weekly report's
 * user figures read it), an organisation's in `orgUsageWeekly` (`orgId`), so per-user figures
 * never count an organisation as a user.
 */
export function addUsage(db: Firestore, tx: MergeWriter, wallet: WalletRef, weekOf: Date, delta: UsageDelta, now: Date) {
  const inc: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(delta)) if (v) inc[k] = FieldValue.increment(v);
  const week = isoWeekOf(weekOf, reportTimeZone());
  const owner = wallet.kind === "user" ? { uid: wallet.id } : { orgId: wallet.id };
  tx.set(db.doc(`${USAGE_COLLECTIONS[wallet.kind]}/${week}_${wallet.id}`), { ...owner, week, ...inc, updatedAt: now }, { merge: true });
}

export const USAGE_COLLECTIONS = { user: "usageWeekly", org: "orgUsageWeekly" } as const;
