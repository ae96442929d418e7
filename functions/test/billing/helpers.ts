// Shared by the billing emulator tests: the seeded plans and packs, signed Stripe events posted
// over HTTP, and a user's money as the invariants see it.
import type Stripe from "stripe";
import { callFunction, db, functionsUrl } from "../../../test-support/emulator";
// @ts-expect-error: a plain .mjs module shared with the scripts
import { billing } from "../../../scripts/lib/seed-data.mjs";
// @ts-expect-error: an ES module shared with the scripts (typed: tsconfig.test.json checks it), imported from CommonJS
import { buildEvent, post, signed } from "../../../scripts/lib/stripe-fixtures.mjs";
import { grantViolations } from "./state";

export const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "a cat on a sofa" };
export const DAY = 86_400_000;

/** The catalog as the seed writes it (emulator-export holds it too; this keeps the tests self-contained). */
export async function seedBilling(): Promise<void> {
  const batch = db().batch();
  for (const [kind, items] of Object.entries(billing as Record<string, Array<{ id: string }>>)) {
    for (const { id, ...item } of items) batch.set(db().doc(`${kind}/${id}`), item);
  }
  await batch.commit();
}

export interface Sent { status: number; body: string; eventId: string }

export async function sendEvent(type: Stripe.Event.Type, o: Record<string, unknown>, sign: { secret?: string; timestamp?: number; tamper?: boolean } = {}): Promise<Sent> {
  const event = buildEvent(type, o);
  const s = signed(event, sign);
  const payload = sign.tamper ? s.payload.replace(/"amount_total":\d+/, '"amount_total":1').replace(/"pack-100"/, '"pack-500"') : s.payload;
  const r = await post(functionsUrl("stripeWebhook"), { payload, header: s.header });
  return { ...r, eventId: event.id };
}

export async function ledgerOf(uid: string) {
  const q = await db().collection(`users/${uid}/ledger`).get();
  return q.docs.map((d) => ({ id: d.id, ...(d.data() as { type: string; amount: number; draws?: { grantId: string; amount: number }[] }) }));
}

export async function userDoc(uid: string) {
  return (await db().doc(`users/${uid}`).get()).data() ?? {};
}

export const create = (token: string, prompt = "x") => callFunction("createGenerationRequest", { token, body: { ...CAT, prompt } });

export async function expectInvariants(uid: string) {
  expect(await grantViolations(uid)).toEqual([]);
}
