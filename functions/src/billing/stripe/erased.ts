// Stripe events for an account whose erasure has started move nothing: no grant, no clawback, no
// plan change (the erasure cancels the subscription and deletes the customer, but events already
// in flight, a refund made later in the dashboard, or a checkout opened before the erasure still
// arrive). Thrown from inside the event's transaction, so nothing of it is written; the webhook
// answers 200 (Stripe must not retry) and logs it.
import type { DocumentSnapshot } from "firebase-admin/firestore";
import { isErasing } from "../../lifecycle/erased";

export class ErasedAccountEvent extends Error {
  constructor(readonly uid: string) {
    super(`account ${uid} is erased; nothing moved`);
    this.name = "ErasedAccountEvent";
  }
}

export function ignoreIfErased(user: DocumentSnapshot): void {
  if (isErasing(user)) throw new ErasedAccountEvent(user.id);
}
