// A user's plan: which catalog plan, the current period, and what follows from it (credit limit,
// rate limit, custom-model slots). Starting a period grants its allowance, expiring at period
// end, exactly once per user and period: the grant's id names the plan and the period's start.
import type { DocumentSnapshot, Firestore, Transaction } from "firebase-admin/firestore";
import { planCreditLimit } from "../ledger/grants/allocate";
import { WalletSession } from "../ledger/grants/session";
import { walletFields, walletOf } from "../ledger/grants/wallet";
import { writeSession } from "../ledger/grants/write";
import { userWallet } from "../ledger/walletRef";
import { dayKey, type Period } from "./period";
import { FREE_PLAN, type PlanDef } from "./catalog";

export type PlanStatus = "active" | "cancelling" | "past_due";

export interface UserPlan {
  id: string;
  status: PlanStatus;
  /** Who renews it: `admin` (renewPlans) or `stripe` (invoice.paid). */
  source: "admin" | "stripe";
  periodStart: Date | null;
  periodEnd: Date | null;
  anchorDay: number;
  subscriptionId?: string;
}

const dateOf = (v: unknown): Date | null => (v == null ? null : v instanceof Date ? v : (v as { toDate(): Date }).toDate());

/** The stored plan; a user without one is on `free` (no period yet). */
export function planOf(user: Record<string, unknown> | undefined): UserPlan {
  const p = user?.plan as Record<string, unknown> | undefined;
  if (!p) return { id: FREE_PLAN, status: "active", source: "admin", periodStart: null, periodEnd: null, anchorDay: 1 };
  return {
    id: String(p.id), status: (p.status as PlanStatus) ?? "active", source: (p.source as UserPlan["source"]) ?? "admin",
    periodStart: dateOf(p.periodStart), periodEnd: dateOf(p.periodEnd), anchorDay: Number(p.anchorDay ?? 1),
    ...(p.subscriptionId ? { subscriptionId: String(p.subscriptionId) } : {}),
  };
}

/** Custom-model slots of a user (the plan's; `fallback` for a user whose plan is not in the catalog). */
export function slotsFor(user: Record<string, unknown> | undefined, fallback = 1): number {
  const slots = user?.modelSlots;
  return typeof slots === "number" ? slots : fallback;
}

export const allowanceGrantId = (planId: string, periodStart: Date) => `plan-${planId}-${dayKey(periodStart)}`;

export interface PeriodStart {
  def: PlanDef;
  period: Period;
  anchorDay: number;
  source: UserPlan["source"];
  status?: PlanStatus;
  subscriptionId?: string;
  /** Replace the allowance of the plan in force (a plan change), rather than let it run to its end. */
  endPrevious: boolean;
  /** Credits to grant instead of the plan's monthly credits (an upgrade's difference). */
  credits?: number;
  /** More fields of the stored plan (one write per document and commit). */
  planExtra?: Record<string, unknown>;
  /** Called with the session after a new allowance is granted (before it is written); returns more user fields. */
  onGrant?: (session: WalletSession, granted: number) => Record<string, unknown>;
  actor: string;
  reason: string;
}

/** Reads the allowance entry this period would write: its existence means the period was granted. */
export function readAllowance(db: Firestore, tx: Transaction, uid: string, grantId: string): Promise<DocumentSnapshot> {
  return tx.get(db.doc(`users/${uid}/ledger/${grantId}`));
}

/** Writes the plan, its limits and (unless already granted) the period's allowance. */
export function startPeriod(db: Firestore, tx: Transaction, user: DocumentSnapshot, allowance: DocumentSnapshot, s: PeriodStart, now: Date, planExtra: (granted: number) => Record<string, unknown> = () => ({})): { granted: number } {
  const uid = user.id;
  const session = new WalletSession(walletOf(user.data()), now.getTime(), s.actor);
  if (s.endPrevious) session.endGrants((g) => g.source === "plan", s.actor);
  const credits = s.credits ?? s.def.monthlyCredits;
  const granted = !allowance.exists && credits > 0 ? credits : 0;
  if (granted) {
    session.grant({ id: allowance.id, source: "plan", amount: credits, expiresAtMs: s.period.end.getTime(), origin: { planId: s.def.id, periodStart: s.period.start } }, { reason: s.reason, actor: s.actor });
  }
  const userExtra = granted && s.onGrant ? s.onGrant(session, granted) : {};
  writeSession(db, tx, userWallet(uid), session, now);
  const plan: UserPlan = {
    id: s.def.id, status: s.status ?? "active", source: s.source, periodStart: s.period.start, periodEnd: s.period.end, anchorDay: s.anchorDay,
    ...(s.subscriptionId ? { subscriptionId: s.subscriptionId } : {}),
  };
  const extra = { ...s.planExtra, ...planExtra(granted) };
  const wallet = planCreditLimit(session.wallet, s.def.creditLimit);
  tx.set(user.ref, {
    ...walletFields(wallet), plan: { ...plan, ...extra }, creditLimit: s.def.creditLimit, ratePerMinute: s.def.ratePerMinute, modelSlots: s.def.modelSlots, updatedAt: now, ...userExtra,
    ...(user.exists ? {} : { createdAt: now, role: "user" }),
  }, { merge: true });
  return { granted };
}
