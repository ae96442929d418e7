// The one trigger on request updates. Every update fires it (the runner's throttled progress
// writes included), so both reactions share one invocation: the refund of a failed or cancelled
// request through the one refund path, then, on the move into a terminal status, the completion
// webhook. `retry: true`: a failed refund or enqueue is tried again with the redelivered event,
// and both reactions are idempotent.
import { onDocumentUpdated } from "firebase-functions/v2/firestore";
import { refundOnUpdate } from "../ledger/trigger";
import { enqueueWebhookOnUpdate } from "../webhooks/triggers";
import { firestore } from "../shared/firestore";
import { countGpuTimeOnUpdate } from "../usage/gpuTime";

export const onGenerationRequestUpdated = onDocumentUpdated({ document: "generationRequests/{requestId}", retry: true }, async (event) => {
  const after = event.data?.after;
  if (!after?.exists) return;
  await countGpuTimeOnUpdate(firestore(), after);
  await refundOnUpdate(after, event.id);
  await enqueueWebhookOnUpdate(event.data?.before, after);
});
