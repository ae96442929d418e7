// An admin puts a user on a plan (businesses that bill outside Stripe, support, the emulator):
// a new period starts now, the old plan's allowance ends, the new one is granted; audited.
// Setting the plan already in force is a replay (a retry, or a re-set on renewal day, must not end
// the allowance it would then fail to grant again); so is a call whose idempotencyKey was used
// before (its audit entry has a deterministic id and holds the first answer).
import { createHash, randomUUID } from "node:crypto";
import type { Firestore } from "firebase-admin/firestore";
import { ApiError } from "../http/errors";
import { AUDIT, recordAudit, type AuditActor } from "../audit/audit";
import { assertNotErased } from "../lifecycle/erased";
import { runMoneyTransaction } from "../shared/transaction";
import { readPlan } from "./catalog";
import { firstPeriod } from "./period";
import { allowanceGrantId, planOf, readAllowance, startPeriod, type UserPlan } from "./userPlan";

export interface SetPlanInput {
  userId: string;
  planId: string;
  reason: string;
  idempotencyKey?: string;
  actor: string;
  auditActor: AuditActor;
}

export interface SetPlanResult {
  userId: string;
  planId: string;
  periodEnd: string;
  grantedCredits: number;
  replayed: boolean;
}

const hash = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 32);

/** The plan `planId` with a period running at `now`: setting it again changes nothing. */
const inForce = (p: UserPlan, planId: string, now: Date) =>
  p.id === planId && p.periodStart != null && p.periodEnd != null && p.periodStart.getTime() <= now.getTime() && now.getTime() < p.periodEnd.getTime();

export async function setUserPlan(db: Firestore, input: SetPlanInput, userExists: (uid: string) => Promise<boolean>, now = new Date()): Promise<SetPlanResult> {
  const def = await readPlan(db, input.planId);
  const auditId = input.idempotencyKey ? `plan.set-${hash(`${input.userId}\u0000${input.idempotencyKey}`)}` : undefined;
  return runMoneyTransaction(db, async (tx) => {
    const [user, earlier] = await Promise.all([tx.get(db.doc(`users/${input.userId}`)), auditId ? tx.get(db.doc(`${AUDIT}/${auditId}`)) : null]);
    if (earlier?.exists) {
      const after = earlier.get("after") as { planId: string; periodEnd: string; granted: number };
      if (after.planId !== def.id) throw new ApiError("FAILED_PRECONDITION", `idempotencyKey was already used to set plan '${after.planId}'`);
      return { userId: input.userId, planId: after.planId, periodEnd: after.periodEnd, grantedCredits: after.granted, replayed: true };
    }
    if (!user.exists && !(await userExists(input.userId))) throw new ApiError("NOT_FOUND", `user '${input.userId}' not found`);
    assertNotErased(user, "plan change");
    const before = planOf(user.data());
    const audit = (after: Record<string, unknown>) => recordAudit(db, tx, {
      action: "plan.set", actor: input.auditActor, target: { userId: input.userId }, before: { planId: before.id }, after, reason: input.reason,
    }, now, auditId);
    if (inForce(before, def.id, now)) {
      const periodEnd = before.periodEnd!.toISOString();
      // Only a keyed call leaves a record (so that its retry stays a replay whatever happens meanwhile).
      if (auditId) audit({ planId: def.id, periodEnd, granted: 0, replayed: true });
      return { userId: input.userId, planId: def.id, periodEnd, grantedCredits: 0, replayed: true };
    }
    const period = firstPeriod(now);
    // One allowance per plan change (a switch back on the same day grants again); renewals keep
    // the `plan-{planId}-{day}` ids, so neither collides with the other.
    const suffix = auditId ? auditId.slice(-12) : randomUUID().replace(/-/g, "").slice(0, 12);
    const allowance = await readAllowance(db, tx, input.userId, `${allowanceGrantId(def.id, period.start)}-${suffix}`);
    const { granted } = startPeriod(db, tx, user, allowance, {
      def, period, anchorDay: period.anchorDay, source: "admin", endPrevious: true, actor: input.actor, reason: `plan ${def.id}: ${input.reason}`,
    }, now);
    audit({ planId: def.id, periodEnd: period.end.toISOString(), granted });
    return { userId: input.userId, planId: def.id, periodEnd: period.end.toISOString(), grantedCredits: granted, replayed: false };
  });
}
