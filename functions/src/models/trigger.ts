// The one trigger on custom-model updates, like the request trigger: a failed or cancelled
// training run is refunded through the one refund path (the runner never refunds), then the
// webhook for ready / failed / cancelled is enqueued, then the training photos are deleted (or
// given their retention window). All three are idempotent; `retry: true`.
import { onDocumentUpdated } from "firebase-functions/v2/firestore";
import { TRAIN } from "../dispatch/jobKinds";
import { refundOnUpdate } from "../ledger/trigger";
import { enqueueWebhookOnUpdate } from "../webhooks/triggers";
import { countGpuTimeOnUpdate } from "../usage/gpuTime";
import { lifecycleConfig } from "../lifecycle/config";
import { firestore } from "../shared/firestore";
import { storage } from "../storage/storage";
import { photosOnUpdate } from "./trainingPhotos";

export const onCustomModelUpdated = onDocumentUpdated({ document: "customModels/{customModelId}", retry: true }, async (event) => {
  const after = event.data?.after;
  if (!after?.exists) return;
  await countGpuTimeOnUpdate(firestore(), after);
  await refundOnUpdate(after, event.id, TRAIN);
  await enqueueWebhookOnUpdate(event.data?.before, after, "train");
  await photosOnUpdate(firestore(), storage(), after, lifecycleConfig().TRAINING_PHOTO_RETENTION_HOURS);
});
