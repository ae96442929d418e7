// Deployed entry point of holds: the sweep that returns expired holds (those of instances that
// died). Every minute, the scheduler's finest grain: a dead instance's credits are back within
// HOLD_SECONDS plus a minute. Tests call sweepExpiredHolds directly.
import { onSchedule } from "firebase-functions/v2/scheduler";
import { firestore } from "../../shared/firestore";
import { sweepExpiredHolds } from "./sweep";

export const returnExpiredHolds = onSchedule({ schedule: "every 1 minutes", timeZone: "UTC", retryCount: 0, timeoutSeconds: 120 }, async () => {
  await sweepExpiredHolds(firestore(), new Date(), { limit: 200 });
});
