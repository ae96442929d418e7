// Thin schedule wrapper (tests call the pieces directly): unfinished erasures first, then
// deletions whose files are still pending, then the retention purge. Each part is bounded.
import { onSchedule } from "firebase-functions/v2/scheduler";
import { firestore } from "../shared/firestore";
import { storage } from "../storage/storage";
import { errorFields, log } from "../shared/log";
import { lifecycleConfig } from "./config";
import { finishPendingDeletions } from "./deleteRequest";
import { resumeErasures } from "./erasure";
import { eraseContext } from "./http";
import { purgeExpired } from "./retention";
import { purgeTrainingPhotos } from "../models/trainingPhotos";
import { removeTrainingOrphans } from "./trainingOrphans";

// No retries: the next run does the same work from its saved position.
export const lifecycleSweep = onSchedule({ schedule: "every 60 minutes", timeZone: "UTC", retryCount: 0, timeoutSeconds: 540 }, async () => {
  const lc = lifecycleConfig();
  const db = firestore();
  const now = new Date();
  await resumeErasures(eraseContext, { db, now, idleMs: lc.ERASE_RESUME_AFTER_SECONDS * 1000, recheckMs: 3_600_000, limit: 10 })
    .catch((err) => log.error("lifecycle.resume_erasures_failed", errorFields(err)));
  await finishPendingDeletions(db, storage(), lc.RETENTION_BATCH_LIMIT).catch((err) => log.error("lifecycle.pending_deletions_failed", errorFields(err)));
  await purgeTrainingPhotos({ db, files: storage(), now, batchLimit: lc.RETENTION_BATCH_LIMIT, maxBatches: lc.RETENTION_MAX_BATCHES })
    .catch((err) => log.error("lifecycle.training_photos_failed", errorFields(err)));
  await purgeExpired({
    db, files: storage(), now, outputDays: lc.OUTPUT_RETENTION_DAYS, inputDays: lc.INPUT_RETENTION_DAYS, batchLimit: lc.RETENTION_BATCH_LIMIT, maxBatches: lc.RETENTION_MAX_BATCHES,
  });
  await removeTrainingOrphans({ db, files: storage(), now, batchLimit: lc.RETENTION_BATCH_LIMIT, maxBatches: lc.RETENTION_MAX_BATCHES })
    .catch((err) => log.error("lifecycle.training_orphans_failed", errorFields(err)));
});
