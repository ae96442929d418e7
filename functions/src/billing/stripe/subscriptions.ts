// Subscriptions: invoice.paid grants a period's allowance (expiring at the period's end) once per
// invoice; within a period, invoices top the allowance up to the largest plan paid for in it
// (invoicePeriod.ts states the policy); subscription events move the plan and its limits. Events
// can arrive in any order: the plan follows the newest subscription event (`plan.stripeEventAt`),
// and an invoice carries the uid and plan in the metadata we set on the subscription, so it needs
// no earlier event.
import type { Firestore } from "firebase-admin/firestore";
import { planCreditLimit } from "../../ledger/grants/allocate";
import { walletOf } from "../../ledger/grants/wallet";
import { runMoneyTransaction } from "../../shared/transaction";
import { FREE_PLAN, readPlan, type PlanDef } from "../catalog";
import { firstPeriod } from "../period";
import { allowanceGrantId, planOf, readAllowance, startPeriod, type PlanStatus } from "../userPlan";
import { ignoreIfErased } from "./erased";
import { allowanceTopUp } from "./invoicePeriod";
import { attachGrant } from "./payments";

export interface InvoiceFact {
  uid: string;
  invoiceId: string;
  reason: "subscription_create" | "subscription_cycle" | "subscription_update";
  /** The plan with the largest allowance this invoice pays for in its period. */
  def: PlanDef;
  subscriptionId: string;
  /** Null when the invoice shows only proration lines of the period (a mid-period change). */
  periodStart: Date | null;
  /** The earliest line start of the period (the change time of a proration-only invoice). */
  seenFrom: Date;
  periodEnd: Date;
}

export async function grantInvoice(db: Firestore, f: InvoiceFact, now = new Date()) {
  return runMoneyTransaction(db, async (tx) => {
    const user = await tx.get(db.doc(`users/${f.uid}`));
    ignoreIfErased(user);
    const allowance = await readAllowance(db, tx, f.uid, `invoice-${f.invoiceId}`);
    if (allowance.exists) return { granted: 0, replayed: true };
    // Payments a refund or dispute traced to this invoice before it was granted (payments.ts).
    const traced = await tx.get(db.collection("stripePayments").where("invoiceId", "==", f.invoiceId));
    // What this period's allowance grants already hold, from the grants themselves (they expire at
    // the period's end): right in any delivery order, unlike a counter a subscription event resets.
    const periodGrants = await tx.get(db.collection(`users/${f.uid}/grants`).where("expiresAt", "==", f.periodEnd));
    const already = periodGrants.docs.filter((d) => d.get("source") === "plan").reduce((sum, d) => sum + Number(d.get("amount") ?? 0), 0);
    const plan = planOf(user.data());
    const start = f.periodStart ?? (plan.periodEnd?.getTime() === f.periodEnd.getTime() && plan.periodStart ? plan.periodStart : f.seenFrom);
    const { granted } = startPeriod(db, tx, user, allowance, {
      def: f.def, period: { start, end: f.periodEnd }, anchorDay: f.periodEnd.getUTCDate(), source: "stripe",
      subscriptionId: f.subscriptionId, endPrevious: false, credits: allowanceTopUp(f.def.monthlyCredits, already), actor: "system:stripe", reason: `${f.def.displayName} ${f.reason} (${f.invoiceId})`,
      onGrant: (session, granted) => attachGrant(tx, traced.docs, { uid: f.uid, grantId: allowance.id, credits: granted }, session, user, now),
    }, now);
    return { granted, replayed: false };
  });
}

export interface SubscriptionFact {
  uid: string;
  subscriptionId: string;
  def: PlanDef;
  status: PlanStatus | "ended";
  periodStart: Date;
  periodEnd: Date;
  eventAt: number;
}

const userPlanFields = (def: PlanDef) => ({ creditLimit: def.creditLimit, ratePerMinute: def.ratePerMinute, modelSlots: def.modelSlots });

/** customer.subscription.created/updated/deleted: the plan and its limits follow; credits do not move here. */
export async function syncSubscription(db: Firestore, f: SubscriptionFact, now = new Date()) {
  const free = f.status === "ended" ? await readPlan(db, FREE_PLAN) : null;
  return runMoneyTransaction(db, async (tx) => {
    const user = await tx.get(db.doc(`users/${f.uid}`));
    ignoreIfErased(user);
    const stored = user.get("plan") as Record<string, unknown> | undefined;
    if (Number(stored?.stripeEventAt ?? 0) > f.eventAt) return { applied: false };
    if (free) {
      // Deleted (at the end of the period it was cancelled for): back to free from now on.
      const period = firstPeriod(now);
      const allowance = await readAllowance(db, tx, f.uid, allowanceGrantId(FREE_PLAN, period.start));
      startPeriod(db, tx, user, allowance, {
        def: free, period, anchorDay: period.anchorDay, source: "admin", endPrevious: false, actor: "system:stripe", reason: "subscription ended: free plan",
        planExtra: { stripeEventAt: f.eventAt, subscriptionId: null },
      }, now);
      return { applied: true };
    }
    // Past due or unpaid: no credit limit until paid (invoice.paid or an active update restores it).
    const limited = planCreditLimit(walletOf(user.data()), f.status === "past_due" ? 0 : f.def.creditLimit);
    tx.set(user.ref, {
      plan: {
        id: f.def.id, status: f.status, source: "stripe", subscriptionId: f.subscriptionId, periodStart: f.periodStart, periodEnd: f.periodEnd,
        anchorDay: f.periodEnd.getUTCDate(), stripeEventAt: f.eventAt,
      },
      ...userPlanFields(f.def), creditLimit: limited.creditLimit, ...(limited.debtBlocks ? { debtBlocks: true } : {}), updatedAt: now,
    }, { merge: true });
    return { applied: true };
  });
}
