// @ts-check
// A small local stand-in for Stripe's API, for tests only (no network here). scripts/test.mjs
// starts one for the whole run and points the functions' Stripe client at it (STRIPE_API_BASE),
// so test files running side by side share it. It answers the calls the functions make, in
// Stripe's shape, and records them; tests read the record and register invoice payments through
// its /__stand-in/ routes (functions/test/billing/stripeStandIn.ts). Its answers are typed with
// the `stripe` package's types (checked by `npm run typecheck`).
import http from "node:http";

/**
 * @template T
 * @typedef {import("./stripe-fixtures.mjs").DeepPartial<T>} DeepPartial
 */
/** @typedef {{ method: string, path: string, form: Record<string, string>, headers: http.IncomingHttpHeaders }} RecordedCall */
/** @typedef {{ invoiceId: string, uid: string }} InvoiceLink */

export const standInPort = () => 12111 + Number(process.env.IMAGEGEN_PORT_OFFSET || 0);

export async function startStripeStandIn(port = standInPort()) {
  /** @type {RecordedCall[]} */
  const calls = [];
  /** @type {Map<string, InvoiceLink>} payment intent → which subscription invoice it paid. */
  const invoicePayments = new Map();
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
      const traced = url.pathname.match(/^\/__stand-in\/invoice-payments\/([^/]+)$/);
      if (traced && req.method === "PUT") {
        invoicePayments.set(decodeURIComponent(traced[1]), JSON.parse(body));
        return json(200, { ok: true });
      }
      const form = Object.fromEntries(new URLSearchParams(req.method === "GET" ? url.search : body));
      calls.push({ method: req.method ?? "", path: url.pathname, form, headers: req.headers });
      if (req.method === "POST" && url.pathname === "/v1/checkout/sessions") {
        const id = `cs_test_standin_${n + 1}`;
        /** @type {DeepPartial<import("stripe").Stripe.Checkout.Session>} */
        const session = { id, object: "checkout.session", mode: /** @type {"payment" | "subscription"} */ (form.mode), url: `https://checkout.stripe.com/c/pay/${id}`, client_reference_id: form.client_reference_id, livemode: false, status: "open", payment_status: "unpaid" };
        return json(200, session);
      }
      if (req.method === "GET" && url.pathname === "/v1/invoice_payments") return json(200, listInvoicePayments(invoicePayments, form));
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
