// Queued work is cancelled and running work is ended as failed, each refunded in the same
// transaction through the one refund path (ledger/refund.ts), for both paid job kinds: generation
// requests and custom-model training runs. A runner still holding the job loses it: its lease
// checks require the running status, so its heartbeat aborts the job and its final write is
// refused (a training run then discards its LoRA).
import type { Firestore } from "firebase-admin/firestore";
import { JOB_KINDS, type JobKind } from "../../dispatch/jobKinds";
import { readForRefund, writeRefund } from "../../ledger/refund";
import { runMoneyTransaction } from "../../shared/transaction";
import { log } from "../../shared/log";
import type { EraseStep } from "./types";

export const ERASED_ERROR = { code: "USER_ERASED", message: "ended because the account was erased" };

export const workStep: EraseStep = {
  name: "work",
  async run({ db, uid, batchLimit }) {
    for (const kind of JOB_KINDS) {
      for (;;) {
        // Each ended job leaves the query's result, so no cursor is needed.
        const open = await db.collection(kind.collection).where("userId", "==", uid).where("status", "in", ["queued", kind.runningStatus]).select().limit(batchLimit).get();
        for (const d of open.docs) await endAndRefund(db, kind, d.id);
        if (open.docs.length < batchLimit) break;
      }
    }
  },
};

async function endAndRefund(db: Firestore, kind: JobKind, id: string): Promise<void> {
  await runMoneyTransaction(db, async (tx) => {
    const job = await tx.get(db.doc(`${kind.collection}/${id}`));
    const status = job.get("status") as string;
    if (status !== "queued" && status !== kind.runningStatus) return;
    const reads = await readForRefund(db, tx, job);
    const statusAfter = status === "queued" ? "cancelled" : "failed";
    const now = new Date();
    tx.update(job.ref, { status: statusAfter, error: ERASED_ERROR, lease: null, finishedAt: now, updatedAt: now });
    writeRefund(db, tx, reads, { statusAfter, actor: "system:erase", reason: kind.refundReason(statusAfter, ERASED_ERROR.code), now });
  });
  log.info("lifecycle.erase_ended_job", { kind: kind.name, id });
}
