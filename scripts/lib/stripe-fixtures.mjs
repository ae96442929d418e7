// Stripe events in the pinned API version's shape (2026-10-28.endive: invoice.parent.
// subscription_details, line pricing.price_details, periods on subscription items), signed like
// Stripe signs them. Shared by `npm run stripe:event` and the billing tests; no network.
import Stripe from "stripe";

export const EMULATOR_WEBHOOK_SECRET = "whsec_imagegen_emulator";
export const API_VERSION = "2026-10-28.endive";
export const PRICES = { "pack-100": "price_pack_100", "pack-500": "price_pack_500", creator: "price_creator_monthly", pro: "price_pro_monthly", enterprise: "price_enterprise_monthly" };
const CENTS = { "pack-100": 1000, "pack-500": 4500, creator: 2000, pro: 4000, enterprise: 9900 };

let seq = 0;
const id = (prefix) => `${prefix}_${Date.now().toString(36)}${(++seq).toString(36)}`;
const sec = (d) => Math.floor(new Date(d).getTime() / 1000);

/** One event of `type` whose object is built from `o` (ids default to fresh ones). */
export function buildEvent(type, o = {}) {
  const object = objectFor(type, o);
  return { id: o.eventId ?? id("evt"), object: "event", api_version: API_VERSION, type, created: o.created ?? Math.floor(Date.now() / 1000), livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, data: { object } };
}

function objectFor(type, o) {
  if (type.startsWith("checkout.session.")) {
    return {
      id: o.session ?? id("cs_test"), object: "checkout.session", mode: "payment", payment_status: o.paymentStatus ?? "paid", status: "complete",
      client_reference_id: o.uid, metadata: { uid: o.uid, packId: o.pack ?? "pack-100" }, payment_intent: o.paymentIntent ?? id("pi"),
      amount_total: CENTS[o.pack ?? "pack-100"], currency: "usd",
    };
  }
  if (type.startsWith("invoice.")) {
    const plan = o.plan ?? "creator";
    return {
      id: o.invoice ?? id("in"), object: "invoice", status: "paid", billing_reason: o.reason ?? "subscription_create", amount_paid: CENTS[plan], currency: "usd",
      parent: { type: "subscription_details", subscription_details: { metadata: { uid: o.uid, planId: plan }, subscription: o.subscription ?? "sub_fixture" } },
      lines: { object: "list", data: [{ id: id("il"), object: "line_item", amount: CENTS[plan], currency: "usd", period: { start: sec(o.periodStart), end: sec(o.periodEnd) }, pricing: { type: "price_details", price_details: { price: PRICES[plan], product: `prod_${plan}` } } }] },
    };
  }
  if (type.startsWith("customer.subscription.")) {
    const plan = o.plan ?? "creator";
    return {
      id: o.subscription ?? "sub_fixture", object: "subscription", status: o.status ?? (type.endsWith("deleted") ? "canceled" : "active"), cancel_at_period_end: !!o.cancelAtPeriodEnd,
      metadata: { uid: o.uid, planId: plan },
      items: { object: "list", data: [{ id: id("si"), object: "subscription_item", price: { id: PRICES[plan], object: "price" }, current_period_start: sec(o.periodStart), current_period_end: sec(o.periodEnd) }] },
    };
  }
  if (type === "charge.refunded") {
    return { id: o.charge ?? id("ch"), object: "charge", amount: o.amount ?? CENTS["pack-100"], amount_refunded: o.amountRefunded ?? o.amount ?? CENTS["pack-100"], payment_intent: o.paymentIntent, refunded: true };
  }
  if (type.startsWith("charge.dispute.")) {
    return { id: o.dispute ?? id("dp"), object: "dispute", charge: o.charge ?? id("ch"), payment_intent: o.paymentIntent, amount: o.amount ?? CENTS["pack-100"], status: o.status ?? (type.endsWith("closed") ? "won" : "needs_response") };
  }
  return { id: id("obj"), object: "unknown" };
}

/** The body string and its Stripe-Signature header, as Stripe would send them. */
export function signed(event, { secret = EMULATOR_WEBHOOK_SECRET, timestamp = Math.floor(Date.now() / 1000) } = {}) {
  const payload = JSON.stringify(event);
  return { payload, header: Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }) };
}

export async function post(url, { payload, header }) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "stripe-signature": header }, body: payload });
  return { status: res.status, body: await res.text() };
}
