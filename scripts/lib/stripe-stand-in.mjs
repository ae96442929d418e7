// @ts-check
// A small local stand-in for Stripe's API, for dev and tests only (no network here).
// scripts/test.mjs starts one for the whole run and `npm run dev` one for the session, and both
// point the functions' Stripe client at it (STRIPE_API_BASE), so test files running side by side
// share it. Its checkout and portal pages (stripe-stand-in-pages.mjs) stand in for Stripe's: their
// buttons send the signed webhook events Stripe would send to the functions' stripeWebhook. It answers the calls the functions make, in
// Stripe's shape, and records them; tests read the record and register invoice payments through
// its /__stand-in/ routes (functions/test/billing/stripeStandIn.ts). Its answers are typed with
// the `stripe` package's types (checked by `npm run typecheck`).
import http from "node:http";
import { ports, PROJECT_ID, REGION } from "./env.mjs";
import { EMULATOR_WEBHOOK_SECRET } from "./stripe-fixtures.mjs";
import { cancelAtPeriodEndEvent, checkoutEvents, checkoutPage, deliver, portalPage } from "./stripe-stand-in-pages.mjs";

/**
 * @template T
 * @typedef {import("./stripe-fixtures.mjs").DeepPartial<T>} DeepPartial
 */
/** @typedef {{ method: string, path: string, form: Record<string, string>, headers: http.IncomingHttpHeaders }} RecordedCall */
/** @typedef {{ invoiceId: string, uid: string }} InvoiceLink */

export const standInPort = () => 12111 + Number(process.env.IMAGEGEN_PORT_OFFSET || 0);

/** @param {number} [port] @param {Partial<import("./stripe-stand-in-pages.mjs").Delivery>} [delivery] where the pages' events go */
export async function startStripeStandIn(port = standInPort(), delivery = {}) {
  const d = {
    webhookUrl: delivery.webhookUrl ?? `http://127.0.0.1:${ports().functions}/${PROJECT_ID}/${REGION}/stripeWebhook`,
    webhookSecret: delivery.webhookSecret ?? EMULATOR_WEBHOOK_SECRET,
  };
  const base = `http://127.0.0.1:${port}`;
  /** @type {Map<string, import("./stripe-stand-in-pages.mjs").StandInSession>} */
  const sessions = new Map();
  /** @type {Map<string, import("./stripe-stand-in-pages.mjs").StandInPortal>} */
  const portals = new Map();
  /** @type {Map<string, { id: string, uid: string, plan: string, periodStart: Date, periodEnd: Date }>} subscriptions started by a checkout page */
  const started = new Map();
  /** @type {RecordedCall[]} */
  const calls = [];
  /** @type {Map<string, InvoiceLink>} payment intent → which subscription invoice it paid. */
  const invoicePayments = new Map();
  const billing = newBilling();
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://stand-in");
      /** @param {number} status @param {unknown} value */
      const json = (status, value) => {
        res.statusCode = status;
        res.setHeader("content-type", "application/json");
        res.setHeader("request-id", `req_standin_${++n}`);
        res.end(JSON.stringify(value));
      };
      if (url.pathname === "/__stand-in/calls") return json(200, calls);
      /** @param {number} status @param {string} html */
      const html = (status, html) => {
        res.statusCode = status;
        res.setHeader("content-type", "text/html; charset=utf-8");
        res.end(html);
      };
      /** @param {string} to */
      const redirect = (to) => {
        res.statusCode = 303;
        res.setHeader("location", to);
        res.end();
      };
      /** @param {unknown} e */
      const failed = (e) => html(502, `<p>The functions refused the webhook: ${String(/** @type {Error} */ (e).message).replace(/</g, "&lt;")}</p>`);
      const pageRoute = url.pathname.match(/^\/(checkout|portal)\/([^/]+)(?:\/(pay|cancel)(?:\/([^/]+))?)?$/);
      if (pageRoute) {
        const [, kind, id, action, target] = pageRoute;
        if (kind === "checkout") {
          const session = sessions.get(id);
          if (!session) return html(404, "<p>No such checkout session.</p>");
          if (!action && req.method === "GET") return html(200, checkoutPage(session));
          if (action === "pay" && req.method === "POST") {
            if (session.status === "complete") return redirect(session.form.success_url);
            const { events, subscription } = checkoutEvents(session);
            session.status = "complete";
            session.events = events;
            if (subscription) {
              started.set(subscription.id, subscription);
              billing.customers.set(subscription.customer, { id: subscription.customer, object: "customer", deleted: false });
              billing.subscriptions.set(subscription.id, { id: subscription.id, object: "subscription", status: "active", customer: subscription.customer, metadata: { uid: subscription.uid, planId: subscription.plan }, cancel_at_period_end: false, canceled_at: null, ended_at: null });
            }
            return void deliver(d, events).then(() => redirect(session.form.success_url), failed);
          }
        }
        if (kind === "portal") {
          const portal = portals.get(id);
          if (!portal) return html(404, "<p>No such portal session.</p>");
          const subs = [...billing.subscriptions.values()].filter((x) => x.customer === portal.customer);
          if (!action && req.method === "GET") return html(200, portalPage(portal, /** @type {any} */ (subs)));
          const sub = target ? billing.subscriptions.get(decodeURIComponent(target)) : undefined;
          const known = sub && started.get(sub.id);
          if (action === "cancel" && req.method === "POST" && sub && known && sub.customer === portal.customer) {
            sub.cancel_at_period_end = true;
            return void deliver(d, [cancelAtPeriodEndEvent(known)]).then(() => redirect(portal.returnUrl), failed);
          }
        }
        return html(404, "<p>Not here.</p>");
      }
      // Delivers a completed checkout's events again, unchanged (same event ids): Stripe's at-least-once delivery.
      const again = url.pathname.match(/^\/__stand-in\/redeliver\/([^/]+)$/);
      if (again && req.method === "POST") {
        const session = sessions.get(decodeURIComponent(again[1]));
        if (!session?.events.length) return json(404, { error: "no completed checkout session with that id" });
        return void deliver(d, session.events).then(() => json(200, { redelivered: session.events.length }), (e) => json(502, { error: String(e) }));
      }
      const traced = url.pathname.match(/^\/__stand-in\/invoice-payments\/([^/]+)$/);
      if (traced && req.method === "PUT") {
        invoicePayments.set(decodeURIComponent(traced[1]), JSON.parse(body));
        return json(200, { ok: true });
      }
      if (url.pathname.startsWith("/__stand-in/subscriptions/") && req.method === "PUT") return json(200, putSubscription(billing, url.pathname, body));
      const form = Object.fromEntries(new URLSearchParams(req.method === "GET" ? url.search : body));
      calls.push({ method: req.method ?? "", path: url.pathname, form, headers: req.headers });
      if (req.method === "POST" && url.pathname === "/v1/checkout/sessions") {
        const id = `cs_test_standin_${n + 1}`;
        /** @type {DeepPartial<import("stripe").Stripe.Checkout.Session>} */
        const session = { id, object: "checkout.session", mode: /** @type {"payment" | "subscription"} */ (form.mode), url: `${base}/checkout/${id}`, client_reference_id: form.client_reference_id, livemode: false, status: "open", payment_status: "unpaid" };
        sessions.set(id, { id, form, status: "open", events: [] });
        return json(200, session);
      }
      if (req.method === "POST" && url.pathname === "/v1/billing_portal/sessions") {
        const id = `bps_standin_${n + 1}`;
        portals.set(id, { id, customer: form.customer, returnUrl: form.return_url });
        /** @type {DeepPartial<import("stripe").Stripe.BillingPortal.Session>} */
        const portal = { id, object: "billing_portal.session", customer: form.customer, livemode: false, return_url: form.return_url, url: `${base}/portal/${id}` };
        return json(200, portal);
      }
      if (req.method === "GET" && url.pathname === "/v1/invoice_payments") return json(200, listInvoicePayments(invoicePayments, form));
      const answer = subscriptionRoute(billing, req.method ?? "", url.pathname);
      if (answer) return json(answer.status, answer.body);
      return json(404, { error: { type: "invalid_request_error", message: `stand-in has no ${req.method} ${url.pathname}` } });
    });
  });
  await new Promise((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", () => resolve(undefined)));
  return { calls, close: () => new Promise((r) => server.close(() => r(undefined))) };
}

/**
 * GET /v1/invoice_payments?payment[type]=payment_intent&payment[payment_intent]=…&expand[]=data.invoice
 * @param {Map<string, InvoiceLink>} invoicePayments @param {Record<string, string>} form
 * @returns {DeepPartial<import("stripe").Stripe.ApiList<import("stripe").Stripe.InvoicePayment>>}
 */
function listInvoicePayments(invoicePayments, form) {
  const pi = form["payment[payment_intent]"];
  const found = pi ? invoicePayments.get(pi) : undefined;
  const expanded = Object.entries(form).some(([k, v]) => k.startsWith("expand") && v === "data.invoice");
  /** @type {DeepPartial<import("stripe").Stripe.Invoice> | string | undefined} */
  const invoice = found && (expanded
    ? { id: found.invoiceId, object: "invoice", parent: { type: "subscription_details", subscription_details: { subscription: `sub_${found.uid}`, metadata: { uid: found.uid } } } }
    : found.invoiceId);
  /** @type {DeepPartial<import("stripe").Stripe.InvoicePayment>[]} */
  const data = found ? [{ id: `inpay_${pi}`, object: "invoice_payment", invoice, is_default: true, status: "paid", amount_paid: 2000, currency: "usd", livemode: false, payment: { type: "payment_intent", payment_intent: pi } }] : [];
  return { object: "list", data, has_more: false, url: "/v1/invoice_payments" };
}

// Subscriptions and customers, for erasure (lifecycle/steps/stripe.ts). A test registers a
// subscription with PUT /__stand-in/subscriptions/{id} {customer, uid}; the routes answer as
// Stripe documents them: DELETE /v1/subscriptions/{id} cancels at once and returns the
// subscription (`status: "canceled"`); a cancelled or unknown one is 404 `resource_missing`.
// GET /v1/subscriptions/{id} returns it in any status. DELETE /v1/customers/{id} returns
// `{id, object: "customer", deleted: true}` and cancels the customer's subscriptions; a deleted
// or unknown customer is 404 `resource_missing`.
/**
 * @typedef {DeepPartial<import("stripe").Stripe.Subscription> & { id: string, status: string }} StandInSubscription
 * @typedef {{ id: string, object: "customer", deleted: boolean }} StandInCustomer
 * @typedef {{ subscriptions: Map<string, StandInSubscription>, customers: Map<string, StandInCustomer> }} Billing
 * @typedef {{ status: number, body: unknown }} RouteAnswer
 */

/** @returns {Billing} */
function newBilling() {
  return { subscriptions: new Map(), customers: new Map() };
}

/** @param {Billing} billing @param {string} pathname @param {string} body */
function putSubscription(billing, pathname, body) {
  const id = decodeURIComponent(pathname.slice("/__stand-in/subscriptions/".length));
  const { customer, uid } = JSON.parse(body);
  billing.customers.set(customer, { id: customer, object: "customer", deleted: false });
  /** @type {StandInSubscription} */
  const sub = { id, object: "subscription", status: "active", customer, metadata: { uid }, canceled_at: null, ended_at: null };
  billing.subscriptions.set(id, sub);
  return sub;
}

/** @param {Billing} billing @param {string} method @param {string} pathname @returns {RouteAnswer | null} */
function subscriptionRoute(billing, method, pathname) {
  /** @param {string} kind @param {string} id @returns {RouteAnswer} */
  const missing = (kind, id) => ({ status: 404, body: { error: { type: "invalid_request_error", code: "resource_missing", param: "id", message: `No such ${kind}: '${id}'` } } });
  /** @param {StandInSubscription} sub */
  const cancelNow = (sub) => Object.assign(sub, { status: "canceled", canceled_at: Math.floor(Date.now() / 1000), ended_at: Math.floor(Date.now() / 1000) });
  const sub = pathname.match(/^\/v1\/subscriptions\/([^/]+)$/);
  if (sub) {
    const id = decodeURIComponent(sub[1]);
    const found = billing.subscriptions.get(id);
    if (method === "GET") return found ? { status: 200, body: found } : missing("subscription", id);
    if (method === "DELETE") return found && found.status !== "canceled" ? { status: 200, body: cancelNow(found) } : missing("subscription", id);
  }
  const cus = pathname.match(/^\/v1\/customers\/([^/]+)$/);
  if (cus && method === "DELETE") {
    const id = decodeURIComponent(cus[1]);
    const found = billing.customers.get(id);
    if (!found || found.deleted) return missing("customer", id);
    found.deleted = true;
    for (const s of billing.subscriptions.values()) if (s.customer === id && s.status !== "canceled") cancelNow(s);
    return { status: 200, body: { id, object: "customer", deleted: true } };
  }
  return null;
}
