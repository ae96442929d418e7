// Counts a finished job's GPU time (`gpuSeconds`, written by the runner with the job's terminal
// status) into the usage counters, once: the job's `gpuCounted` flag is set in the same commit.
// The runner never writes counters (it owns job status only); the update trigger calls this.
import { runMoneyTransaction } from "../shared/transaction";
import type { DocumentReference, DocumentSnapshot, Firestore } from "firebase-admin/firestore";
import { addUsage } from "../ledger/usage";
import { walletOfJob } from "../ledger/walletRef";
import { gpuMsOf } from "./counters";
import { usageDimsOf } from "./dims";

/** True when this call counted it; false when there is nothing (more) to count. */
export async function countGpuTime(db: Firestore, ref: DocumentReference, now = new Date()): Promise<boolean> {
  return runMoneyTransaction(db, async (tx) => {
    const job = await tx.get(ref);
    const gpuMs = gpuMsOf(job.get("gpuSeconds"));
    if (!job.exists || !gpuMs || job.get("gpuCounted") === true) return false;
    addUsage(db, tx, walletOfJob(job), job.get("createdAt").toDate(), { ...usageDimsOf(job), gpuMs }, now);
    tx.update(ref, { gpuCounted: true });
    return true;
  });
}

/** For the update triggers: a cheap look at the event's snapshot before any transaction. */
export async function countGpuTimeOnUpdate(db: Firestore, after: DocumentSnapshot): Promise<void> {
  if (!gpuMsOf(after.get("gpuSeconds")) || after.get("gpuCounted") === true) return;
  await countGpuTime(db, after.ref);
}
