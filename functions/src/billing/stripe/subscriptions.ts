// Subscriptions: invoice.paid grants a period's allowance (expiring at the period's end) once per
// invoice; an upgrade's invoice grants the difference; subscription events move the plan and its
// limits. Events can arrive in any order: the plan follows the newest subscription event
// (`plan.stripeEventAt`), and an invoice carries the uid and plan in the metadata we set on the
// subscription, so it needs no earlier event.
import type { Firestore } from "firebase-admin/firestore";
import { planCreditLimit } from "../../ledger/grants/allocate";
import { walletOf } from "../../ledger/grants/wallet";
import { runMoneyTransaction } from "../../shared/transaction";
import { FREE_PLAN, readPlan, type PlanDef } from "../catalog";
import { firstPeriod } from "../period";
import { allowanceGrantId, planOf, readAllowance, startPeriod, type PlanStatus } from "../userPlan";
import { attachGrant } from "./payments";

export interface InvoiceFact {
  uid: string;
  invoiceId: string;
  reason: "subscription_create" | "subscription_cycle" | "subscription_update";
  def: PlanDef;
  subscriptionId: string;
  periodStart: Date;
  periodEnd: Date;
}

export async function grantInvoice(db: Firestore, f: InvoiceFact, now = new Date()) {
  return runMoneyTransaction(db, async (tx) => {
    const user = await tx.get(db.doc(`users/${f.uid}`));
    const allowance = await readAllowance(db, tx, f.uid, `invoice-${f.invoiceId}`);
    if (allowance.exists) return { granted: 0, replayed: true };
    // Payments a refund or dispute traced to this invoice before it was granted (payments.ts).
    const traced = await tx.get(db.collection("stripePayments").where("invoiceId", "==", f.invoiceId));
    const plan = planOf(user.data());
    const samePeriod = plan.periodStart?.getTime() === f.periodStart.getTime();
    const already = samePeriod ? Number((user.get("plan") as Record<string, unknown> | undefined)?.allowance ?? 0) : 0;
    // An upgrade grants what the new plan adds to this period; Stripe prorates money, not credits.
    const credits = f.reason === "subscription_update" ? Math.max(0, f.def.monthlyCredits - already) : f.def.monthlyCredits;
    const { granted } = startPeriod(db, tx, user, allowance, {
      def: f.def, period: { start: f.periodStart, end: f.periodEnd }, anchorDay: f.periodEnd.getUTCDate(), source: "stripe",
      subscriptionId: f.subscriptionId, endPrevious: false, credits, actor: "system:stripe", reason: `${f.def.displayName} ${f.reason} (${f.invoiceId})`,
      onGrant: (session, granted) => attachGrant(tx, traced.docs, { uid: f.uid, grantId: allowance.id, credits: granted }, session, user, now),
    }, now, (granted) => ({ allowance: already + granted }));
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
    const samePeriod = Number((stored?.periodStart as { toMillis?: () => number } | undefined)?.toMillis?.() ?? 0) === f.periodStart.getTime();
    // Past due or unpaid: no credit limit until paid (invoice.paid or an active update restores it).
    const limited = planCreditLimit(walletOf(user.data()), f.status === "past_due" ? 0 : f.def.creditLimit);
    tx.set(user.ref, {
      plan: {
        id: f.def.id, status: f.status, source: "stripe", subscriptionId: f.subscriptionId, periodStart: f.periodStart, periodEnd: f.periodEnd,
        anchorDay: f.periodEnd.getUTCDate(), stripeEventAt: f.eventAt, ...(samePeriod ? {} : { allowance: 0 }),
      },
      ...userPlanFields(f.def), creditLimit: limited.creditLimit, ...(limited.debtBlocks ? { debtBlocks: true } : {}), updatedAt: now,
    }, { merge: true });
    return { applied: true };
  });
}
