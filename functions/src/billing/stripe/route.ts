// What each verified event means, as a business fact. Returns what was done (for the log and
// the 200 answer); throws only on failures worth Stripe's retry (the webhook answers 500).
import type { Firestore } from "firebase-admin/firestore";
import type { z } from "zod";
import { readPack, planByPrice, type PlanDef } from "../catalog";
import type { PlanStatus } from "../userPlan";
import * as P from "./payloads";
import { clawbackRefund, disputeEvent, fulfilPack } from "./payments";
import type { FindInvoice } from "./invoicePayments";
import { invoicePeriod, type PlanLine } from "./invoicePeriod";
import { grantInvoice, syncSubscription } from "./subscriptions";

export type EventOutcome = { handled: string } | { ignored: string };

type Event = z.infer<typeof P.event>;
const date = (s: number) => new Date(s * 1000);

export async function routeEvent(db: Firestore, ev: Event, userExists: (uid: string) => Promise<boolean>, findInvoice?: FindInvoice): Promise<EventOutcome> {
  const obj = ev.data.object;
  const known = async (uid: string | null | undefined) => (uid && (await userExists(uid)) ? uid : null);
  switch (ev.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded": {
      const s = P.checkoutSession.parse(obj);
      if (s.mode !== "payment") return { ignored: "subscription checkouts are granted by invoice.paid" };
      if (s.payment_status !== "paid") return { ignored: `payment_status ${s.payment_status}: granted when paid` };
      const uid = await known(s.client_reference_id ?? s.metadata?.uid);
      if (!uid) return { ignored: `unknown customer ${s.client_reference_id ?? s.metadata?.uid ?? "(none)"}` };
      const pack = await readPack(db, s.metadata?.packId ?? "").catch(() => null);
      if (!pack) return { ignored: `session ${s.id}: pack '${s.metadata?.packId}' not in the catalog` };
      const r = await fulfilPack(db, { uid, pack, sessionId: s.id, paymentIntent: s.payment_intent ?? null });
      return { handled: r.replayed ? `pack ${pack.id} already granted` : `granted ${r.granted} (${pack.id})` };
    }
    case "invoice.paid":
    case "invoice.payment_succeeded": {
      const inv = P.invoice.parse(obj);
      const reason = inv.billing_reason;
      if (reason !== "subscription_create" && reason !== "subscription_cycle" && reason !== "subscription_update") return { ignored: `billing_reason ${reason}` };
      const sub = inv.parent?.subscription_details;
      const uid = await known(sub?.metadata?.uid);
      if (!uid || !sub) return { ignored: `unknown customer for invoice ${inv.id}` };
      const plans = await plansOnLines(db, inv);
      const period = invoicePeriod(inv.lines.data.map(planLine), (price) => plans.get(price)?.monthlyCredits ?? null);
      if (!period) return { ignored: `invoice ${inv.id}: no plan price on its lines` };
      const r = await grantInvoice(db, {
        uid, invoiceId: inv.id, reason, def: plans.get(period.price)!, subscriptionId: sub.subscription,
        periodStart: period.start === null ? null : date(period.start), seenFrom: date(period.seenFrom), periodEnd: date(period.end),
      });
      return { handled: r.replayed ? `invoice ${inv.id} already granted` : `granted ${r.granted} (${plans.get(period.price)!.id}, ${reason})` };
    }
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted": {
      const s = P.subscription.parse(obj);
      const uid = await known(s.metadata?.uid);
      if (!uid) return { ignored: `unknown customer for subscription ${s.id}` };
      const item = s.items.data[0];
      const def = await planByPrice(db, item.price.id);
      if (!def) return { ignored: `subscription ${s.id}: price ${item.price.id} is no plan` };
      const status = ev.type === "customer.subscription.deleted" ? "ended" : statusOf(s);
      await syncSubscription(db, { uid, subscriptionId: s.id, def: def as PlanDef, status, periodStart: date(item.current_period_start), periodEnd: date(item.current_period_end), eventAt: ev.created });
      return { handled: `plan ${def.id} ${status}` };
    }
    case "charge.refunded": {
      const c = P.charge.parse(obj);
      if (!c.payment_intent) return { ignored: `charge ${c.id} has no payment intent` };
      const r = await clawbackRefund(db, { chargeId: c.id, paymentIntent: c.payment_intent, amount: c.amount, amountRefunded: c.amount_refunded }, findInvoice);
      return { handled: r.done };
    }
    case "charge.dispute.created":
    case "charge.dispute.closed": {
      const d = P.dispute.parse(obj);
      if (!d.payment_intent) return { ignored: `dispute ${d.id} has no payment intent` };
      // A closed inquiry (warning_closed) took no money, so it counts as won; only "lost" keeps the credits.
      const status = ev.type === "charge.dispute.created" ? "open" : d.status === "lost" ? "lost" : "won";
      const r = await disputeEvent(db, { disputeId: d.id, paymentIntent: d.payment_intent, status }, findInvoice);
      return { handled: r.done };
    }
    default:
      return { ignored: `event type ${ev.type}` };
  }
}

type Line = z.infer<typeof P.invoice>["lines"]["data"][number];
const planLine = (l: Line): PlanLine => ({
  amount: l.amount, period: l.period, price: l.pricing?.price_details?.price ?? null,
  proration: l.parent?.subscription_item_details?.proration ?? l.parent?.invoice_item_details?.proration ?? false,
});

/** The plans the invoice's line prices belong to (prices that are no plan are left out). */
async function plansOnLines(db: Firestore, inv: z.infer<typeof P.invoice>): Promise<Map<string, PlanDef>> {
  const prices = [...new Set(inv.lines.data.map((l) => l.pricing?.price_details?.price).filter((p): p is string => !!p))];
  const defs = await Promise.all(prices.map((p) => planByPrice(db, p)));
  return new Map(prices.flatMap((p, i) => (defs[i] ? [[p, defs[i]!] as const] : [])));
}

function statusOf(s: z.infer<typeof P.subscription>): PlanStatus {
  if (s.cancel_at_period_end) return "cancelling";
  return s.status === "past_due" || s.status === "unpaid" ? "past_due" : "active";
}
