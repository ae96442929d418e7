// Which of our subscription invoices a payment paid. In the pinned API version a charge names no
// invoice and an invoice's payments are not in its webhook payload, so a refund or dispute of a
// subscription payment is traced with one API call (`GET /v1/invoice_payments?payment[...]`),
// made only for payments we cannot place from Firestore (no pack grant recorded for them).
import type Stripe from "stripe";
import { z } from "zod";
import type { Config } from "../../config";
import { log } from "../../shared/log";
import { stripeClient } from "./client";

export interface InvoiceLink { uid: string; invoiceId: string }
export type FindInvoice = (paymentIntent: string) => Promise<InvoiceLink | null>;

const expandedInvoice = z.object({
  id: z.string(),
  parent: z.object({ subscription_details: z.object({ metadata: z.record(z.string(), z.string()).nullable().optional() }).nullable().optional() }).nullable().optional(),
});

export async function invoiceOfPayment(stripe: Stripe, paymentIntent: string): Promise<InvoiceLink | null> {
  const list = await stripe.invoicePayments.list({ payment: { type: "payment_intent", payment_intent: paymentIntent }, expand: ["data.invoice"], limit: 1 });
  const found = list.data[0];
  if (!found) return null;
  const invoice = expandedInvoice.safeParse(found.invoice);
  const uid = invoice.success ? invoice.data.parent?.subscription_details?.metadata?.uid : undefined;
  return invoice.success && uid ? { uid, invoiceId: invoice.data.id } : null;
}

/** The lookup the webhook uses. On the emulator without STRIPE_API_BASE there is no Stripe to ask: packs still work, subscription refunds are only recorded. */
export function invoiceFinder(cfg: Pick<Config, "STRIPE_SECRET_KEY" | "STRIPE_API_BASE" | "EMULATED">): FindInvoice {
  if (cfg.EMULATED && !cfg.STRIPE_API_BASE) {
    return async (pi) => {
      log.warn("stripe invoice lookup skipped: no Stripe API on the emulator (set STRIPE_API_BASE)", { paymentIntent: pi });
      return null;
    };
  }
  return (pi) => invoiceOfPayment(stripeClient(cfg), pi);
}
