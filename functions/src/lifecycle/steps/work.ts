// Queued work is cancelled and running work is ended as failed, each refunded in the same
// transaction through the one refund path (ledger/refund.ts), for both paid job kinds: generation
// requests and custom-model training runs. A runner still holding the job loses it: its lease
// checks require the running status, so its heartbeat aborts the job and its final write is
// refused (a training run then discards its LoRA).
import type { Firestore } from "firebase-admin/firestore";
import { JOB_KINDS, type JobKind } from "../../dispatch/jobKinds";
import { endJobAndRefund } from "../../ledger/refund";
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
  await endJobAndRefund(db, kind, id, "system:erase", (job) => {
    const status = job.get("status") as string;
    if (status === "queued") return { status: "cancelled", error: ERASED_ERROR };
    return status === kind.runningStatus ? { status: "failed", error: ERASED_ERROR } : null;
  });
  log.info("lifecycle.erase_ended_job", { kind: kind.name, id });
}
