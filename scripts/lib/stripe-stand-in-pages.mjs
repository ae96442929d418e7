// @ts-check
// The pages the local Stripe stand-in serves in place of Stripe Checkout and the customer
// portal (dev and tests only), and the signed events it sends when a page's button is pressed,
// in the shape Stripe sends them for that outcome (stripe-fixtures.mjs): a paid pack checkout →
// checkout.session.completed (payment_status paid); a plan checkout → customer.subscription.created
// and invoice.paid (billing_reason subscription_create); cancelling in the portal →
// customer.subscription.updated with cancel_at_period_end (the portal's default: cancel at the end
// of the period).
import { buildEvent, post, signed } from "./stripe-fixtures.mjs";

/** @typedef {{ id: string, form: Record<string, string>, status: "open" | "complete", events: unknown[] }} StandInSession */
/** @typedef {{ id: string, customer: string, returnUrl: string }} StandInPortal */
/** @typedef {{ webhookUrl: string, webhookSecret: string }} Delivery */

const PRICE_TO_ITEM = { price_pack_100: "pack-100", price_pack_500: "pack-500", price_creator_monthly: "creator", price_pro_monthly: "pro", price_enterprise_monthly: "enterprise" };
const MONTH_MS = 30 * 86_400_000;

/** @param {string} s */
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** @param {string} title @param {string} body */
function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}.note{background:#fff3cd;padding:.75rem;border-radius:6px}button,a.button{font:inherit;padding:.5rem 1rem;margin-right:.5rem}</style></head>
<body><p class="note" role="note">Local Stripe stand-in for development and tests. This is not Stripe: no card is asked for and no money moves.</p>${body}</body></html>`;
}

/** @param {StandInSession} s */
export function checkoutPage(s) {
  const item = PRICE_TO_ITEM[/** @type {keyof typeof PRICE_TO_ITEM} */ (s.form["line_items[0][price]"])] ?? s.form["line_items[0][price]"];
  const what = s.form.mode === "subscription" ? `Subscribe to the ${item} plan` : `Buy ${item}`;
  if (s.status === "complete") return page("Checkout complete", `<h1>${esc(what)}</h1><p>Already paid.</p><a class="button" href="${esc(s.form.success_url)}">Back</a>`);
  return page("Checkout", `<h1>${esc(what)}</h1><p>Session <code>${esc(s.id)}</code></p>
<form method="post" action="/checkout/${esc(s.id)}/pay"><button type="submit">Pay</button><a class="button" href="${esc(s.form.cancel_url)}">Cancel</a></form>`);
}

/** @param {StandInPortal} p @param {Array<{ id: string, status: string, cancel_at_period_end?: boolean, metadata?: Record<string, string> }>} subs */
export function portalPage(p, subs) {
  const rows = subs.map((s) => `<li>${esc(s.metadata?.planId ?? "plan")} — ${esc(s.status)}${s.cancel_at_period_end ? " (cancels at period end)" : ""}
${s.status === "active" && !s.cancel_at_period_end ? `<form method="post" action="/portal/${esc(p.id)}/cancel/${esc(s.id)}"><button type="submit">Cancel plan</button></form>` : ""}</li>`).join("");
  return page("Billing portal", `<h1>Your plan</h1><ul>${rows || "<li>No subscription.</li>"}</ul><a class="button" href="${esc(p.returnUrl)}">Back</a>`);
}

/**
 * The events a paid checkout sends; the subscription it starts (plans) is returned to be kept.
 * @param {StandInSession} s
 */
export function checkoutEvents(s) {
  const uid = s.form.client_reference_id;
  const now = new Date();
  const periodEnd = new Date(now.getTime() + MONTH_MS);
  if (s.form.mode !== "subscription") {
    return { events: [buildEvent("checkout.session.completed", { uid, pack: s.form["metadata[packId]"], session: s.id })], subscription: null };
  }
  const plan = s.form["metadata[planId]"];
  const subscription = `sub_standin_${s.id.slice(-8)}`;
  const o = { uid, plan, subscription, periodStart: now, periodEnd, reason: "subscription_create" };
  return {
    events: [buildEvent("customer.subscription.created", o), buildEvent("invoice.paid", o)],
    subscription: { id: subscription, customer: `cus_${uid}`, uid, plan, periodStart: now, periodEnd },
  };
}

/** @param {{ id: string, uid: string, plan: string, periodStart: Date, periodEnd: Date }} sub */
export const cancelAtPeriodEndEvent = (sub) => buildEvent("customer.subscription.updated", { ...sub, subscription: sub.id, cancelAtPeriodEnd: true });

/**
 * Posts each event, signed, to the functions' webhook; throws if one is not accepted.
 * @param {Delivery} d @param {unknown[]} events
 */
export async function deliver(d, events) {
  for (const ev of events) {
    const r = await post(d.webhookUrl, signed(ev, { secret: d.webhookSecret }));
    if (r.status >= 300) throw new Error(`stripeWebhook answered ${r.status}: ${r.body}`);
  }
}
