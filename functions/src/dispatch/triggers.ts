// Thin schedule wrapper around sweepStuckRequests (tests call that directly).
import { onSchedule } from "firebase-functions/v2/scheduler";
import { config } from "../config";
import { firestore } from "../shared/firestore";
import { dispatcher } from "./dispatch";
import { GENERATE, TRAIN } from "./jobKinds";
import { sweepStuckRequests } from "./sweep";
import { sweepLimits } from "./sweepPlan";

// No retries: the next run five minutes later does the same work from fresh queries.
export const sweepStuckJobs = onSchedule({ schedule: "every 5 minutes", timeZone: "UTC", retryCount: 0, timeoutSeconds: 300 }, async () => {
  const cfg = config();
  const common = { limits: sweepLimits(cfg), batchLimit: cfg.SWEEP_BATCH_LIMIT };
  await sweepStuckRequests(firestore(), { ...common, dispatcher: () => dispatcher(GENERATE) });
  await sweepStuckRequests(firestore(), { ...common, dispatcher: () => dispatcher(TRAIN), kind: TRAIN });
});
