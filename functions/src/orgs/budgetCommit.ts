// What a create's commit writes for budgets besides the spend check (commitPlan.ts): each budget's
// new spend, on the member or key document the commit guards, and the notices of thresholds crossed.
import type { Firestore, WriteBatch } from "firebase-admin/firestore";
import { walletPath, type WalletRef } from "../ledger/walletRef";
import type { Plan } from "../requests/commitPlan";

/**
 * A budget's first crossing of 50, 80 and 100 % in a period becomes a notice of the organisation,
 * in the same commit (the spend it is judged on is guarded, so each crossing is seen by one commit;
 * after a refund gives credits back the same notice id is written again, not a second notice).
 */
export function writeCrossings(db: Firestore, batch: WriteBatch, wallet: WalletRef, plan: Plan, now: Date): void {
  for (const [budget, thresholds] of plan.crossings) {
    const state = plan.budgets.get(budget)!;
    for (const t of thresholds) {
      batch.set(db.doc(`${walletPath(wallet)}/notices/${budget}_${state.key}_${t}`), {
        type: "budget.threshold", budget, period: state.key, threshold: t, limit: state.budget.credits,
        message: `${budget} reached ${t} % of its ${state.budget.period === "day" ? "daily" : "monthly"} budget of ${state.budget.credits} credits (${state.key})`, at: now,
      });
    }
  }
}

export const spendOf = (plan: Plan, id: string) => {
  const b = plan.budgets.get(id);
  return b ? { budgetUsed: { key: b.key, used: b.used } } : {};
};
