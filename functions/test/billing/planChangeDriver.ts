// For the interleavings property test (issue 23 item 3): Stripe subscriptions whose plan changes
// at random, invoiced as Stripe invoices them (always_invoice: a subscription_update invoice per
// change with its proration lines; create_prorations: the lines wait for the next cycle's
// invoice), delivered through the real webhook route in a random order with duplicates and with
// Stripe's retries, while the same users spend. At quiescence, `violations` lists each period
// whose allowance grants exceed the largest allowance held in it.
import type { Firestore } from "firebase-admin/firestore";
import type { Caller } from "../../src/auth/caller";
import { event as eventSchema } from "../../src/billing/stripe/payloads";
import { routeEvent } from "../../src/billing/stripe/route";
import { createGenerationRequest } from "../../src/requests/create";
import { db } from "../../../test-support/emulator";
// @ts-expect-error: an ES module shared with the scripts (typed: tsconfig.test.json checks it), imported from CommonJS
import { buildEvent, planChangeLines } from "../../../scripts/lib/stripe-fixtures.mjs";
import { DAY } from "./helpers";

type PlanId = "creator" | "pro" | "enterprise";
const CREDITS: Record<PlanId, number> = { creator: 200, pro: 500, enterprise: 1000 };
const PLANS = Object.keys(CREDITS) as PlanId[];
export type Behaviour = "always_invoice" | "create_prorations";

export interface Subscriber { uid: string; token?: string; behaviour: Behaviour }

/** Plans held per period end (ISO), for the check. */
type Held = Record<string, number>;

/** Runs every subscriber's invoices (and some creates) concurrently; resolves with what each held. */
export async function drivePlanChanges(fs: Firestore, subs: Subscriber[], rand: () => number): Promise<Map<string, Held>> {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const now = Date.now();
  const at = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();
  const [p1, p2, p3] = [at(now - DAY), at(now + 30 * DAY), at(now + 60 * DAY)];
  const heldBy = new Map<string, Held>();
  const deliveries: Array<() => Promise<unknown>> = [];
  for (const s of subs) {
    let plan = pick(PLANS);
    const held: Held = { [p2]: CREDITS[plan] };
    const base = { uid: s.uid, subscription: `sub_${s.uid}` };
    const invoices: Array<Record<string, unknown>> = [{ ...base, plan, invoice: `in0_${s.uid}`, reason: "subscription_create", periodStart: p1, periodEnd: p2 }];
    let pending: unknown[] = [];
    const changes = 2 + Math.floor(rand() * 4);
    for (let i = 0; i < changes; i++) {
      const to = pick(PLANS.filter((p) => p !== plan));
      const lines = planChangeLines({ from: plan, to, at: at(now - DAY + (i + 1) * 3_600_000), start: p1, end: p2, via: s.behaviour === "always_invoice" ? "subscription_item" : "invoice_item" });
      if (s.behaviour === "always_invoice") invoices.push({ ...base, plan: to, invoice: `in${i + 1}_${s.uid}`, reason: "subscription_update", lines });
      else pending = pending.concat(lines);
      plan = to;
      held[p2] = Math.max(held[p2], CREDITS[plan]);
    }
    if (s.behaviour === "create_prorations") {
      invoices.push({ ...base, plan, invoice: `inc_${s.uid}`, reason: "subscription_cycle", lines: [{ plan, start: p2, end: p3 }, ...pending] });
      held[p3] = CREDITS[plan];
    }
    heldBy.set(s.uid, held);
    for (const o of [...invoices, ...invoices.filter(() => rand() < 0.3)]) deliveries.push(() => deliver(fs, buildEvent("invoice.paid", o)));
    if (s.token !== undefined) {
      const caller: Caller = { uid: s.uid, role: "user", via: "id-token" };
      for (let i = 0; i < 4; i++) deliveries.push(() => createGenerationRequest(fs, caller, { model: "A", style: "anime", color: "muted", size: "512x512", prompt: `sub ${s.uid} ${i}`, numImages: 1 }).catch(spendRefused));
    }
  }
  const order = deliveries.map((d) => ({ d, k: rand() })).sort((a, b) => a.k - b.k).map((x) => x.d);
  await Promise.all(Array.from({ length: 3 }, async (_, w) => {
    for (let i = w; i < order.length; i += 3) await order[i]();
  }));
  return heldBy;
}

/** A create racing the allowance may find no credits (or a busy user): that is an answer, not a failure. */
function spendRefused(err: unknown) {
  if (!["INSUFFICIENT_CREDITS", "RATE_LIMITED", "UNAVAILABLE"].includes(String((err as { code?: unknown }).code))) throw err;
}

/** One delivery with Stripe's retries: a failed event (a contended transaction) is sent again. */
async function deliver(fs: Firestore, ev: unknown) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await routeEvent(fs, eventSchema.parse(ev), async () => true);
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
}

/** Each period (by its end) whose plan grants exceed the largest allowance held in it, or that got none. */
export async function planChangeViolations(uid: string, held: Held): Promise<string[]> {
  const grants = await db().collection(`users/${uid}/grants`).where("source", "==", "plan").get();
  const granted: Held = {};
  for (const g of grants.docs) {
    const end = g.get("expiresAt").toDate().toISOString();
    granted[end] = (granted[end] ?? 0) + Number(g.get("amount"));
  }
  const out: string[] = [];
  for (const [end, max] of Object.entries(held)) {
    if (!granted[end] || granted[end] > max) out.push(`${uid} period ending ${end}: granted ${granted[end] ?? 0}, largest allowance held ${max}`);
  }
  for (const end of Object.keys(granted)) if (!(end in held)) out.push(`${uid}: a grant for an unknown period ending ${end}`);
  return out;
}
