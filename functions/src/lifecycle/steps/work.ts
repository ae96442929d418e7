// Queued work is cancelled and running work is ended as failed, each refunded in the same
// transaction through the one refund path (ledger/refund.ts). A runner still holding the job
// loses it: its lease checks require `running`, so its heartbeat aborts the job and its final
// write is refused.
import type { Firestore } from "firebase-admin/firestore";
import { readForRefund, writeRefund } from "../../ledger/refund";
import { runMoneyTransaction } from "../../shared/transaction";
import { log } from "../../shared/log";
import type { EraseStep } from "./types";

export const ERASED_ERROR = { code: "USER_ERASED", message: "ended because the account was erased" };

export const workStep: EraseStep = {
  name: "work",
  async run({ db, uid, batchLimit }) {
    for (;;) {
      // Each ended request leaves the query's result, so no cursor is needed.
      const open = await db.collection("generationRequests").where("userId", "==", uid).where("status", "in", ["queued", "running"]).select().limit(batchLimit).get();
      for (const d of open.docs) await endAndRefund(db, d.id);
      if (open.docs.length < batchLimit) return;
    }
  },
};

async function endAndRefund(db: Firestore, id: string): Promise<void> {
  await runMoneyTransaction(db, async (tx) => {
    const request = await tx.get(db.doc(`generationRequests/${id}`));
    const status = request.get("status") as string;
    if (status !== "queued" && status !== "running") return;
    const reads = await readForRefund(db, tx, request);
    const statusAfter = status === "queued" ? "cancelled" : "failed";
    const now = new Date();
    tx.update(request.ref, { status: statusAfter, error: ERASED_ERROR, lease: null, finishedAt: now, updatedAt: now });
    writeRefund(db, tx, reads, { statusAfter, actor: "system:erase", reason: statusAfter === "cancelled" ? "request cancelled" : "generation failed (USER_ERASED)", now });
  });
  log.info("lifecycle.erase_ended_request", { requestId: id });
}
