// The tests' side of the local Stripe stand-in (scripts/lib/stripe-stand-in.mjs), which
// scripts/test.mjs runs for the whole test run: what the functions sent it, and which invoice a
// payment paid (its answer to GET /v1/invoice_payments).
import type http from "node:http";
// @ts-expect-error: a plain .mjs module shared with the scripts
import { standInPort } from "../../../scripts/lib/stripe-stand-in.mjs";

export interface RecordedCall {
  method: string;
  path: string;
  form: Record<string, string>;
  headers: http.IncomingHttpHeaders;
}

const base = () => `http://127.0.0.1:${standInPort()}/__stand-in`;

/** Every call the functions made to "Stripe" so far, in order (all test files share the stand-in: filter by your own ids). */
export async function standInCalls(): Promise<RecordedCall[]> {
  return (await fetch(`${base()}/calls`)).json() as Promise<RecordedCall[]>;
}

/** From now on the stand-in says `paymentIntent` paid subscription invoice `invoiceId` of `uid`. */
export async function traceInvoicePayment(paymentIntent: string, link: { invoiceId: string; uid: string }): Promise<void> {
  const r = await fetch(`${base()}/invoice-payments/${encodeURIComponent(paymentIntent)}`, { method: "PUT", body: JSON.stringify(link) });
  if (!r.ok) throw new Error(`stand-in refused ${paymentIntent}: ${r.status}`);
}

/** From now on the stand-in holds an active subscription `id` of `customer`, as Checkout would have created it for `uid`. */
export async function registerSubscription(id: string, link: { customer: string; uid: string }): Promise<void> {
  const r = await fetch(`${base()}/subscriptions/${encodeURIComponent(id)}`, { method: "PUT", body: JSON.stringify(link) });
  if (!r.ok) throw new Error(`stand-in refused subscription ${id}: ${r.status}`);
}
