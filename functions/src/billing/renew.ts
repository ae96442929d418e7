// Scheduled plan renewals for plans nobody else renews (admin-set plans, `free`, and Stripe plans
// cancelled at period end, which fall back to `free`): per user and period the old allowance
// expires (its grant ends with the period) and the new one is granted exactly once, because the
// allowance's entry id names the plan and the period start and is read in the same transaction.
import { dueUsers, type SweepScope } from "../shared/dueUsers";
import type { Firestore } from "firebase-admin/firestore";
import { log } from "../shared/log";
import { runMoneyTransaction } from "../shared/transaction";
import { FREE_PLAN, readPlanIn } from "./catalog";
import { periodContaining } from "./period";
import { allowanceGrantId, planOf, readAllowance, startPeriod } from "./userPlan";

export interface RenewSummary {
  users: number;
  renewed: number;
  credits: number;
}

/** Renews one user's plan if its period has ended; returns the credits granted (0 when already done). */
export async function renewUser(db: Firestore, uid: string, now: Date): Promise<{ renewed: boolean; granted: number }> {
  return runMoneyTransaction(db, async (tx) => {
    const user = await tx.get(db.doc(`users/${uid}`));
    const plan = planOf(user.data());
    if (!plan.periodEnd || plan.periodEnd.getTime() > now.getTime()) return { renewed: false, granted: 0 };
    // An active Stripe subscription renews through invoice.paid; a cancelled one ends here.
    if (plan.source === "stripe" && plan.status !== "cancelling") return { renewed: false, granted: 0 };
    const def = await readPlanIn(tx, db, plan.status === "cancelling" ? FREE_PLAN : plan.id);
    const period = periodContaining(plan.periodEnd, plan.anchorDay, now);
    const allowance = await readAllowance(db, tx, uid, allowanceGrantId(def.id, period.start));
    const { granted } = startPeriod(db, tx, user, allowance, {
      def, period, anchorDay: plan.anchorDay, source: "admin", endPrevious: false,
      actor: "system:renew-plans", reason: `${def.displayName} allowance ${period.start.toISOString().slice(0, 10)}`,
    }, now);
    return { renewed: true, granted };
  });
}

export async function renewPlans(db: Firestore, now: Date, batchLimit: number, scope: SweepScope = {}): Promise<RenewSummary> {
  const due = await dueUsers(db, "plan.periodEnd", now, batchLimit, scope);
  const summary: RenewSummary = { users: due.length, renewed: 0, credits: 0 };
  for (const doc of due) {
    try {
      const r = await renewUser(db, doc.id, now);
      if (r.renewed) summary.renewed++;
      summary.credits += r.granted;
    } catch (err) {
      log.error("plan renewal failed", { uid: doc.id, error: String((err as Error).message) });
    }
  }
  log.info("renew plans", { ...summary });
  return summary;
}
