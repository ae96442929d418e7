// @ts-check
// Stripe events in the pinned API version's shape (2026-10-28.endive: invoice.parent.
// subscription_details, line pricing.price_details and parent.subscription_item_details.proration,
// periods on subscription items), signed like Stripe signs them. Shared by `npm run stripe:event`
// and the billing tests; no network. Typed with the `stripe` package's own types and checked by
// `npm run typecheck` (functions/tsconfig.test.json): invoices and their lines are complete
// `Stripe.Invoice`/`Stripe.InvoiceLineItem` objects; the other objects are `Partial` Stripe types
// (every name and nesting checked, fields we never read left out).
import Stripe from "stripe";

export const EMULATOR_WEBHOOK_SECRET = "whsec_imagegen_emulator";
export const API_VERSION = "2026-10-28.endive";
export const PRICES = { "pack-100": "price_pack_100", "pack-500": "price_pack_500", creator: "price_creator_monthly", pro: "price_pro_monthly", enterprise: "price_enterprise_monthly" };
/** What each item costs, in cents. */
export const CENTS = { "pack-100": 1000, "pack-500": 4500, creator: 2000, pro: 4000, enterprise: 9900 };

/** @typedef {keyof typeof PRICES} Item */
/** @typedef {"creator" | "pro" | "enterprise"} PlanId */
/** @typedef {string | number | Date} When  an ISO string, milliseconds or a Date */
/**
 * @template T
 * @typedef {T extends Array<infer U> ? Array<DeepPartial<U>> : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T} DeepPartial
 */
/**
 * One invoice line. `proration` lines come from a plan change: `via: "subscription_item"` when
 * invoiced at once (`always_invoice`), `"invoice_item"` when they waited as pending invoice items
 * for the next cycle (`create_prorations`).
 * @typedef {{ plan: PlanId, start: When, end: When, amount?: number, proration?: boolean, via?: "subscription_item" | "invoice_item", description?: string }} LineSpec
 */

let seq = 0;
/** @param {string} prefix */
const id = (prefix) => `${prefix}_${Date.now().toString(36)}${(++seq).toString(36)}`;
/** @param {When} d */
const sec = (d) => Math.floor(new Date(d).getTime() / 1000);
const nowSec = () => Math.floor(Date.now() / 1000);

/**
 * One event of `type` whose object is built from `o` (ids default to fresh ones).
 * @param {Stripe.Event.Type} type
 * @param {Record<string, any>} [o]
 */
export function buildEvent(type, o = {}) {
  /** @type {Stripe.EventBase & { data: { object: unknown } }} */
  const event = {
    id: o.eventId ?? id("evt"), object: "event", api_version: API_VERSION, type, created: o.created ?? nowSec(), livemode: o.livemode ?? false,
    pending_webhooks: 1, request: { id: null, idempotency_key: null }, data: { object: objectFor(type, o) },
  };
  return event;
}

/** @param {string} type @param {Record<string, any>} o */
function objectFor(type, o) {
  if (type.startsWith("checkout.session.")) return checkoutSession(o);
  if (type.startsWith("invoice.")) return invoice(o);
  if (type.startsWith("customer.subscription.")) return subscription(type, o);
  if (type === "charge.refunded") return charge(o);
  if (type.startsWith("charge.dispute.")) return dispute(type, o);
  return { id: id("obj"), object: "unknown" };
}

/** @param {Record<string, any>} o */
function checkoutSession(o) {
  /** @type {Item} */
  const pack = o.pack ?? "pack-100";
  /** @type {DeepPartial<Stripe.Checkout.Session>} */
  const session = {
    id: o.session ?? id("cs_test"), object: "checkout.session", mode: "payment", payment_status: o.paymentStatus ?? "paid", status: "complete",
    client_reference_id: o.uid, metadata: { uid: o.uid, packId: pack }, payment_intent: o.paymentIntent ?? id("pi"),
    amount_total: CENTS[pack], amount_subtotal: CENTS[pack], currency: "usd", livemode: o.livemode ?? false, created: nowSec(),
  };
  return session;
}

/**
 * An invoice as Stripe sends it: its lines (default: one subscription line for `plan` over the
 * period), totals that are their sum (negative on a downgrade: the credit goes to the customer's
 * balance and nothing is charged), `billing_reason`, and the subscription's metadata snapshot.
 * @param {Record<string, any>} o
 * @returns {Stripe.Invoice}
 */
export function invoice(o) {
  /** @type {PlanId} */
  const plan = o.plan ?? "creator";
  const invoiceId = o.invoice ?? id("in");
  const subscriptionId = o.subscription ?? "sub_fixture";
  /** @type {LineSpec[]} */
  const specs = o.lines ?? [{ plan, start: o.periodStart, end: o.periodEnd }];
  const lines = specs.map((l) => line(l, invoiceId, subscriptionId, o.livemode ?? false));
  const total = lines.reduce((s, l) => s + l.amount, 0);
  const paid = Math.max(0, total);
  const created = o.created ?? nowSec();
  return {
    id: invoiceId, object: "invoice", account_country: "US", account_name: "imagegen", account_tax_ids: null,
    amount_due: paid, amount_overpaid: 0, amount_paid: paid, amount_remaining: 0, amount_shipping: 0, application: null, attempt_count: paid > 0 ? 1 : 0, attempted: paid > 0,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null }, automatically_finalizes_at: null,
    billing_reason: o.reason ?? "subscription_create", collection_method: "charge_automatically", created, currency: "usd", custom_fields: null,
    customer: o.customer ?? `cus_${o.uid ?? "fixture"}`, customer_account: null, customer_address: null, customer_email: null, customer_name: null, customer_phone: null,
    customer_shipping: null, customer_tax_exempt: "none", default_payment_method: null, default_source: null, default_tax_rates: [], description: null, discounts: [],
    due_date: null, effective_at: created, ending_balance: Math.min(0, total), footer: null, from_invoice: null, issuer: { type: "self" },
    last_finalization_error: null, latest_revision: null,
    lines: { object: "list", data: lines, has_more: false, url: `/v1/invoices/${invoiceId}/lines` },
    livemode: o.livemode ?? false, metadata: {}, next_payment_attempt: null, number: null, on_behalf_of: null,
    parent: { type: "subscription_details", quote_details: null, subscription_details: { metadata: { uid: o.uid, planId: plan }, subscription: subscriptionId } },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: created, period_start: created, post_payment_credit_notes_amount: 0, pre_payment_credit_notes_amount: 0, receipt_number: null, rendering: null,
    shipping_cost: null, shipping_details: null, starting_balance: 0, statement_descriptor: null, status: "paid",
    status_transitions: { finalized_at: created, marked_uncollectible_at: null, paid_at: created, voided_at: null },
    subtotal: total, subtotal_excluding_tax: total, test_clock: null, total, total_discount_amounts: [], total_excluding_tax: total,
    total_pretax_credit_amounts: [], total_taxes: [], webhooks_delivered_at: created,
  };
}

/**
 * @param {LineSpec} l @param {string} invoiceId @param {string} subscriptionId @param {boolean} livemode
 * @returns {Stripe.InvoiceLineItem}
 */
function line(l, invoiceId, subscriptionId, livemode) {
  const proration = !!l.proration;
  const amount = l.amount ?? CENTS[l.plan];
  const item = `si_${subscriptionId}`;
  const invoiceItem = proration ? id("ii") : null;
  /** @type {Stripe.InvoiceLineItem.Parent} */
  const parent = proration && l.via === "invoice_item"
    ? { type: "invoice_item_details", subscription_item_details: null, invoice_item_details: { invoice_item: /** @type {string} */ (invoiceItem), proration, proration_details: { credited_items: null }, subscription: subscriptionId } }
    : { type: "subscription_item_details", invoice_item_details: null, subscription_item_details: { invoice_item: invoiceItem, proration, proration_details: proration ? { credited_items: null } : null, subscription: subscriptionId, subscription_item: item } };
  return {
    id: id("il"), object: "line_item", amount, currency: "usd", description: l.description ?? `1 × ${l.plan}`, discount_amounts: [], discountable: !proration, discounts: [],
    invoice: invoiceId, livemode, metadata: {}, parent, period: { start: sec(l.start), end: sec(l.end) }, pretax_credit_amounts: [],
    pricing: { type: "price_details", price_details: { price: PRICES[l.plan], product: `prod_${l.plan}` }, unit_amount_decimal: null },
    quantity: 1, quantity_decimal: null, subscription: subscriptionId, subtotal: amount, taxes: [],
  };
}

/**
 * The two proration lines of a plan change at `at` in the period [start, end): "Unused time on
 * `from`" (a credit) and "Remaining time on `to`" (a charge), each the price times the share of
 * the period left, as Stripe computes them; both lines' period runs from the change to the end.
 * @param {{ from: PlanId, to: PlanId, at: When, start: When, end: When, via?: LineSpec["via"] }} c
 * @returns {LineSpec[]}
 */
export function planChangeLines({ from, to, at, start, end, via = "subscription_item" }) {
  const share = (sec(end) - sec(at)) / (sec(end) - sec(start));
  return [
    { plan: from, start: at, end, proration: true, via, amount: -Math.round(CENTS[from] * share), description: `Unused time on ${from}` },
    { plan: to, start: at, end, proration: true, via, amount: Math.round(CENTS[to] * share), description: `Remaining time on ${to}` },
  ];
}

/** @param {string} type @param {Record<string, any>} o */
function subscription(type, o) {
  /** @type {PlanId} */
  const plan = o.plan ?? "creator";
  const subscriptionId = o.subscription ?? "sub_fixture";
  /** @type {DeepPartial<Stripe.Subscription>} */
  const sub = {
    id: subscriptionId, object: "subscription", status: o.status ?? (type.endsWith("deleted") ? "canceled" : "active"), cancel_at_period_end: !!o.cancelAtPeriodEnd,
    metadata: { uid: o.uid, planId: plan }, livemode: o.livemode ?? false, customer: `cus_${o.uid ?? "fixture"}`, collection_method: "charge_automatically",
    items: {
      object: "list", has_more: false, url: `/v1/subscription_items?subscription=${subscriptionId}`,
      data: [{ id: `si_${subscriptionId}`, object: "subscription_item", subscription: subscriptionId, price: { id: PRICES[plan], object: "price", unit_amount: CENTS[plan], currency: "usd", recurring: { interval: "month", interval_count: 1 } }, current_period_start: sec(o.periodStart), current_period_end: sec(o.periodEnd) }],
    },
  };
  return sub;
}

/** @param {Record<string, any>} o */
function charge(o) {
  /** @type {DeepPartial<Stripe.Charge>} */
  const c = { id: o.charge ?? id("ch"), object: "charge", amount: o.amount ?? CENTS["pack-100"], amount_refunded: o.amountRefunded ?? o.amount ?? CENTS["pack-100"], payment_intent: o.paymentIntent, refunded: true, currency: "usd", livemode: o.livemode ?? false };
  return c;
}

/** @param {string} type @param {Record<string, any>} o */
function dispute(type, o) {
  /** @type {DeepPartial<Stripe.Dispute>} */
  const d = { id: o.dispute ?? id("dp"), object: "dispute", charge: o.charge ?? id("ch"), payment_intent: o.paymentIntent, amount: o.amount ?? CENTS["pack-100"], currency: "usd", status: o.status ?? (type.endsWith("closed") ? "won" : "needs_response"), livemode: o.livemode ?? false };
  return d;
}

/**
 * The body string and its Stripe-Signature header, as Stripe would send them.
 * @param {unknown} event
 * @param {{ secret?: string, timestamp?: number }} [opts]
 */
export function signed(event, { secret = EMULATOR_WEBHOOK_SECRET, timestamp = nowSec() } = {}) {
  const payload = JSON.stringify(event);
  return { payload, header: Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }) };
}

/** @param {string} url @param {{ payload: string, header: string }} body */
export async function post(url, { payload, header }) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "stripe-signature": header }, body: payload });
  return { status: res.status, body: await res.text() };
}
