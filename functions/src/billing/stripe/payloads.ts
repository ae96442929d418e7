// The parts of Stripe's objects the webhook acts on, validated with zod (in the pinned API
// version's shape: invoice.parent.subscription_details, line pricing.price_details, subscription
// item periods). Unknown fields pass; a field we rely on that is missing fails the parse.
import { z } from "zod";

const metadata = z.record(z.string(), z.string()).nullable().optional();

export const checkoutSession = z.object({
  id: z.string(),
  mode: z.enum(["payment", "subscription", "setup"]),
  payment_status: z.enum(["paid", "unpaid", "no_payment_required"]),
  client_reference_id: z.string().nullable().optional(),
  metadata,
  payment_intent: z.string().nullable().optional(),
});

export const invoice = z.object({
  id: z.string(),
  billing_reason: z.string().nullable(),
  parent: z.object({
    subscription_details: z.object({ metadata, subscription: z.string() }).nullable().optional(),
  }).nullable().optional(),
  lines: z.object({
    data: z.array(z.object({
      amount: z.number().int(),
      period: z.object({ start: z.number().int(), end: z.number().int() }),
      // A proration line's period starts at the plan change (invoicePeriod.ts).
      parent: z.object({
        subscription_item_details: z.object({ proration: z.boolean() }).nullable().optional(),
        invoice_item_details: z.object({ proration: z.boolean() }).nullable().optional(),
      }).nullable().optional(),
      pricing: z.object({ price_details: z.object({ price: z.string() }).nullable().optional() }).nullable().optional(),
    })),
  }),
});

export const subscription = z.object({
  id: z.string(),
  status: z.string(),
  cancel_at_period_end: z.boolean(),
  metadata,
  items: z.object({
    data: z.array(z.object({
      price: z.object({ id: z.string() }),
      current_period_start: z.number().int(),
      current_period_end: z.number().int(),
    })).min(1),
  }),
});

export const charge = z.object({
  id: z.string(),
  amount: z.number().int().positive(),
  amount_refunded: z.number().int().nonnegative(),
  payment_intent: z.string().nullable(),
});

export const dispute = z.object({
  id: z.string(),
  charge: z.string(),
  payment_intent: z.string().nullable().optional(),
  status: z.string(),
});

export const event = z.object({ id: z.string(), type: z.string(), created: z.number().int(), livemode: z.boolean(), data: z.object({ object: z.unknown() }) });
