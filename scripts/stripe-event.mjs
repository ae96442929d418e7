#!/usr/bin/env node
// Builds a Stripe event in the pinned API version's shape, signs it with the emulator's webhook
// secret and posts it to the running functions emulator, so a whole billing lifecycle can be
// replayed offline. Usage:
//   npm run stripe:event -- <type> --uid user_test1 [--pack pack-100] [--plan creator] [--session cs_x]
//     [--invoice in_x] [--reason subscription_cycle] [--period-start 2026-11-01] [--period-end 2026-12-01]
//     [--subscription sub_x] [--cancel-at-period-end] [--payment-intent pi_x] [--charge ch_x]
//     [--amount 1000] [--amount-refunded 1000] [--dispute dp_x] [--status won] [--secret whsec_…]
import { parseArgs } from "node:util";
import { ports, PROJECT_ID, REGION } from "./lib/env.mjs";
import { buildEvent, post, signed, EMULATOR_WEBHOOK_SECRET } from "./lib/stripe-fixtures.mjs";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: Object.fromEntries(["uid", "pack", "plan", "session", "invoice", "reason", "period-start", "period-end", "subscription", "payment-intent", "charge", "amount", "amount-refunded", "dispute", "status", "secret", "url"].map((k) => [k, { type: "string" }]).concat([["cancel-at-period-end", { type: "boolean" }]])),
});
const type = positionals[0];
if (!type) {
  console.error("usage: npm run stripe:event -- <event type> --uid <uid> [options]  (see scripts/stripe-event.mjs)");
  process.exit(2);
}
const now = new Date();
const event = buildEvent(type, {
  uid: values.uid, pack: values.pack, plan: values.plan, session: values.session, invoice: values.invoice, reason: values.reason,
  periodStart: values["period-start"] ?? now, periodEnd: values["period-end"] ?? new Date(now.getTime() + 30 * 86_400_000),
  subscription: values.subscription, cancelAtPeriodEnd: values["cancel-at-period-end"], paymentIntent: values["payment-intent"], charge: values.charge,
  amount: values.amount ? Number(values.amount) : undefined, amountRefunded: values["amount-refunded"] ? Number(values["amount-refunded"]) : undefined,
  dispute: values.dispute, status: values.status,
});
const url = values.url ?? `http://127.0.0.1:${ports().functions}/${PROJECT_ID}/${REGION}/stripeWebhook`;
const r = await post(url, signed(event, { secret: values.secret ?? EMULATOR_WEBHOOK_SECRET }));
console.log(`${type} ${event.id} → ${r.status} ${r.body}`);
process.exit(r.status < 300 ? 0 : 1);
