// Cancel while queued: status and refund in one transaction, so the user sees the credits back
// in the same answer. Cancelling twice is harmless; a started or finished job cannot be cancelled.
import type { Firestore } from "firebase-admin/firestore";
import { isAdmin, type Caller } from "../auth/caller";
import { ApiError } from "../http/errors";
import { readForRefund, writeRefund } from "../ledger/refund";
import { runMoneyTransaction } from "../shared/transaction";
import { GENERATE, type JobKind } from "../dispatch/jobKinds";

export interface CancelResult {
  id: string;
  status: "cancelled";
  refundedCredits: number;
  currentCredits: number;
}

/** Cancels a queued job of either kind (a generation request, or a training run); `clock` is the wall clock except where past history is seeded. */
export async function cancelRequest(db: Firestore, caller: Caller, id: string, kind: JobKind = GENERATE, clock = () => new Date()): Promise<CancelResult> {
  return runMoneyTransaction(db, async (tx) => {
    const request = await tx.get(db.doc(`${kind.collection}/${id}`));
    if (!request.exists || (request.get("userId") !== caller.uid && !isAdmin(caller))) {
      throw new ApiError("NOT_FOUND", `${kind.noun} '${id}' not found`);
    }
    const status = request.get("status") as string;
    const reads = await readForRefund(db, tx, request);
    const credits = (reads.user.get("credits") as number) ?? 0;
    if (status === "cancelled") return { id, status: "cancelled", refundedCredits: request.get("cost"), currentCredits: credits };
    if (status !== "queued") {
      throw new ApiError("FAILED_PRECONDITION", `${kind.noun} is '${status}'; only queued ones can be cancelled`, { status });
    }
    const now = clock();
    tx.update(request.ref, {
      status: "cancelled",
      error: { code: "CANCELLED", message: caller.uid === request.get("userId") ? "cancelled by the user" : `cancelled by admin ${caller.uid}` },
      finishedAt: now,
      updatedAt: now,
    });
    const decision = writeRefund(db, tx, reads, { statusAfter: "cancelled", actor: `user:${caller.uid}`, reason: kind.refundReason("cancelled", undefined), now });
    const refunded = "credited" in decision ? decision.credited : 0;
    return { id, status: "cancelled", refundedCredits: refunded, currentCredits: "balanceAfter" in decision ? decision.balanceAfter : credits };
  });
}
