// An admin puts a user on a plan (businesses that bill outside Stripe, support, the emulator):
// a new period starts now, the old plan's allowance ends, the new one is granted; audited.
import type { Firestore } from "firebase-admin/firestore";
import { ApiError } from "../http/errors";
import { recordAudit, type AuditActor } from "../audit/audit";
import { assertNotErased } from "../lifecycle/erased";
import { runMoneyTransaction } from "../shared/transaction";
import { readPlan } from "./catalog";
import { firstPeriod } from "./period";
import { allowanceGrantId, planOf, readAllowance, startPeriod } from "./userPlan";

export interface SetPlanInput {
  userId: string;
  planId: string;
  reason: string;
  actor: string;
  auditActor: AuditActor;
}

export async function setUserPlan(db: Firestore, input: SetPlanInput, userExists: (uid: string) => Promise<boolean>, now = new Date()) {
  const def = await readPlan(db, input.planId);
  return runMoneyTransaction(db, async (tx) => {
    const user = await tx.get(db.doc(`users/${input.userId}`));
    if (!user.exists && !(await userExists(input.userId))) throw new ApiError("NOT_FOUND", `user '${input.userId}' not found`);
    assertNotErased(user, "plan change");
    const before = planOf(user.data());
    const period = firstPeriod(now);
    const allowance = await readAllowance(db, tx, input.userId, allowanceGrantId(def.id, period.start));
    const { granted } = startPeriod(db, tx, user, allowance, {
      def, period, anchorDay: period.anchorDay, source: "admin", endPrevious: true, actor: input.actor, reason: `plan ${def.id}: ${input.reason}`,
    }, now);
    recordAudit(db, tx, {
      action: "plan.set", actor: input.auditActor, target: { userId: input.userId },
      before: { planId: before.id }, after: { planId: def.id, periodEnd: period.end.toISOString(), granted }, reason: input.reason,
    }, now);
    return { userId: input.userId, planId: def.id, periodEnd: period.end.toISOString(), grantedCredits: granted };
  });
}
