// Which plan period a paid subscription invoice pays toward, and how much allowance that adds.
// Pure: route.ts feeds it the invoice's lines, subscriptions.ts the allowance already granted.
//
// Stripe's invoices carry more than one line. A plan change invoices proration lines: "Unused
// time on Creator after 15 Nov" (negative) and "Remaining time on Pro after 15 Nov" (positive),
// whose `period.start` is the time of the change and `period.end` the current period's end. With
// `always_invoice` they come at once on a `subscription_update` invoice; with the default
// `create_prorations` they wait for the next `subscription_cycle` invoice, beside the new
// period's subscription line (`proration: false`, the full new period). So the period is never
// "the last line's": every line of one period ends at that period's end, and the latest end on
// the invoice is the period it pays toward.
//
// Policy (docs/billing.md): within one period the allowance granted is the largest allowance of
// the plans paid for in it. An upgrade tops up to the new plan's allowance (new − already
// granted), a downgrade grants nothing and the allowance in hand runs to the period's end.

export interface PlanLine {
  amount: number;
  period: { start: number; end: number };
  price: string | null;
  /** Stripe's `parent.subscription_item_details.proration` (or `invoice_item_details.proration`). */
  proration: boolean;
}

export interface InvoicePeriod {
  /** The period's end (seconds): also the allowance grant's expiry, and what identifies the period. */
  end: number;
  /** The period's start (seconds) when the invoice shows it (a subscription line); null when only proration lines do. */
  start: number | null;
  /** The earliest start of this period's lines (the change time when only proration lines show the period). */
  seenFrom: number;
  /** The price of the plan with the largest allowance paid for in that period on this invoice. */
  price: string;
  credits: number;
}

/**
 * The period the invoice pays toward and its largest plan allowance. A line counts when it charges
 * for holding a plan: a subscription line, or a proration line for the remaining time on a plan
 * (amount > 0). Credit lines ("unused time on …") pay for nothing. Null when no line names a plan.
 */
export function invoicePeriod(lines: PlanLine[], allowanceOf: (price: string) => number | null): InvoicePeriod | null {
  let best: InvoicePeriod | null = null;
  for (const l of lines) {
    if (!l.price || (l.proration && l.amount <= 0)) continue;
    const credits = allowanceOf(l.price);
    if (credits === null) continue;
    const start = l.proration ? null : l.period.start;
    const later = !best || l.period.end > best.end;
    if (later) {
      best = { end: l.period.end, start, seenFrom: l.period.start, price: l.price, credits };
      continue;
    }
    if (l.period.end < best!.end) continue;
    best = {
      ...best!, start: best!.start ?? start, seenFrom: Math.min(best!.seenFrom, l.period.start),
      ...(credits > best!.credits ? { price: l.price, credits } : {}),
    };
  }
  return best;
}

/** What a paid invoice adds to its period: the top-up to its plan's allowance (never negative). */
export const allowanceTopUp = (allowance: number, grantedInPeriod: number) => Math.max(0, allowance - grantedInPeriod);
