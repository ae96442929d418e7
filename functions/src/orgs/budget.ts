// Budgets of an organisation's members and keys: a limit on the credits spent per day or month,
// in the organisation's time zone. Pure: the create's commit (requests/commitPlan.ts) checks and
// counts them against the stored spend it read, in the same commit as the debit, so no
// interleaving of creates can take a budget past its limit; a refund gives its charge back.
import { wallClock, zonedMidnight } from "../shared/isoWeek";

export type BudgetPeriod = "day" | "month";

export interface Budget {
  period: BudgetPeriod;
  credits: number;
}

/** What was spent in one period (`key`: "2026-12-07" or "2026-12"); another key means nothing yet. */
export interface BudgetSpend {
  key: string;
  used: number;
}

export interface BudgetState {
  budget: Budget;
  key: string;
  used: number;
  resetsAtMs: number;
}

export const ALERT_THRESHOLDS = [50, 80, 100] as const;

const pad = (n: number) => String(n).padStart(2, "0");

/** The period `nowMs` falls in, and when the next starts (both in `timeZone`). */
export function periodOf(period: BudgetPeriod, nowMs: number, timeZone: string): { key: string; resetsAtMs: number } {
  const w = wallClock(new Date(nowMs), timeZone);
  if (period === "day") {
    const next = new Date(Date.UTC(w.year, w.month - 1, w.day + 1));
    return { key: `${w.year}-${pad(w.month)}-${pad(w.day)}`, resetsAtMs: zonedMidnight(next, timeZone).getTime() };
  }
  const next = new Date(Date.UTC(w.year, w.month, 1));
  return { key: `${w.year}-${pad(w.month)}`, resetsAtMs: zonedMidnight(next, timeZone).getTime() };
}

/** The budget's state now, from the stored budget and spend (null: no budget). */
export function budgetState(budget: Budget | null | undefined, spend: BudgetSpend | null | undefined, nowMs: number, timeZone: string): BudgetState | null {
  if (!budget) return null;
  const { key, resetsAtMs } = periodOf(budget.period, nowMs, timeZone);
  return { budget, key, used: spend?.key === key ? spend.used : 0, resetsAtMs };
}

export const fits = (s: BudgetState, cost: number) => s.used + cost <= s.budget.credits;

/** The thresholds (percent of the limit) that spending `cost` more crosses for the first time in the period. */
export function crossed(s: BudgetState, cost: number): number[] {
  const pct = (used: number) => (s.budget.credits <= 0 ? (used > 0 ? 100 : 0) : (used * 100) / s.budget.credits);
  return ALERT_THRESHOLDS.filter((t) => pct(s.used) < t && pct(s.used + cost) >= t);
}

/** The spend after a refund of `amount` charged in period `key` (only the same period gets it back). */
export function givenBack(spend: BudgetSpend | null | undefined, key: string, amount: number): BudgetSpend | null {
  if (!spend || spend.key !== key) return null;
  return { key, used: Math.max(0, spend.used - amount) };
}
