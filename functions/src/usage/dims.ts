// What a stored job is counted under in the usage counters: its model (training runs under one
// pseudo model), the key that made it and, on an organisation's wallet, the member. Read from the job document so a
// refund or a GPU-time record lands on the same row as the job's debit.
import type { DocumentSnapshot } from "firebase-admin/firestore";
import { TRAINING_MODEL, type UsagePart } from "./counters";

export function usageDimsOf(job: DocumentSnapshot): Pick<UsagePart, "modelId" | "keyId" | "memberId"> {
  const training = job.ref.parent.id === "customModels";
  return {
    modelId: training ? TRAINING_MODEL : ((job.get("model") as string | undefined) ?? null),
    keyId: (job.get("keyId") as string | null | undefined) ?? null,
    // An organisation's job is counted on the organisation's wallet, per member who made it.
    memberId: job.get("orgId") ? ((job.get("userId") as string | undefined) ?? null) : null,
  };
}
