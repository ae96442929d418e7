// Billing stops before anything else is scrubbed: the user's Stripe subscription is cancelled at
// once (no more invoices, so no more charges or grants) and the Stripe customer is deleted (its
// email, name, address and saved cards). What was done is recorded on erasures/{uid}.stripe, so a
// re-run does nothing twice. Stripe answers `resource_missing` (404) for a subscription that is
// already cancelled and a customer already deleted: both count as done. Stripe itself keeps the
// charges, invoices and payment records (docs/data-lifecycle.md).
import { log } from "../../shared/log";
import type { EraseBilling, EraseStep } from "./types";

interface StripeRecord {
  subscriptionId?: string | null;
  subscription?: "cancelled" | "already-cancelled" | "none";
  customerId?: string | null;
  customer?: "deleted" | "already-deleted" | "none";
}

const missing = (err: unknown) => (err as { code?: string }).code === "resource_missing" || (err as { statusCode?: number }).statusCode === 404;
const idOf = (c: string | { id: string }) => (typeof c === "string" ? c : c.id);

export const stripeStep: EraseStep = {
  name: "stripe",
  async run({ db, uid, billing, now }) {
    const erasure = db.doc(`erasures/${uid}`);
    const done = ((await erasure.get()).get("stripe") ?? {}) as StripeRecord;
    const save = (fields: StripeRecord) => erasure.update(Object.fromEntries(Object.entries({ ...fields, at: now() }).filter(([, v]) => v !== undefined).map(([k, v]) => [`stripe.${k}`, v])));
    if (!done.subscription) {
      const subscriptionId = ((await db.doc(`users/${uid}`).get()).get("plan.subscriptionId") as string | undefined) ?? null;
      if (!subscriptionId || !billing) await save({ subscriptionId, subscription: "none", customerId: null });
      else await save({ subscriptionId, ...(await cancel(billing, subscriptionId)) });
      Object.assign(done, (await erasure.get()).get("stripe"));
    }
    if (!done.customer) {
      if (!done.customerId || !billing) await save({ customer: "none" });
      else await save({ customer: await deleteCustomer(billing, done.customerId) });
    }
    log.info("lifecycle.erase_stripe", { uid, ...((await erasure.get()).get("stripe") as object) });
  },
};

async function cancel(billing: EraseBilling, id: string): Promise<StripeRecord> {
  try {
    const sub = await billing.subscriptions.cancel(id);
    return { subscription: "cancelled", customerId: idOf(sub.customer) };
  } catch (err) {
    if (!missing(err)) throw err;
    // Cancelled earlier (by the user, or by a run of this step that stopped before its record):
    // the subscription can still be read, and names the customer to delete.
    const sub = await billing.subscriptions.retrieve(id).catch((e) => (missing(e) ? null : Promise.reject(e)));
    return { subscription: "already-cancelled", customerId: sub ? idOf(sub.customer) : null };
  }
}

async function deleteCustomer(billing: EraseBilling, id: string): Promise<StripeRecord["customer"]> {
  try {
    await billing.customers.del(id);
    return "deleted";
  } catch (err) {
    if (missing(err)) return "already-deleted";
    throw err;
  }
}
