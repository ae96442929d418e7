// Deployed entry points of billing: the admin endpoint and the two schedules (tests call
// renewPlans/sweepExpiredGrants directly).
import { onSchedule } from "firebase-functions/v2/scheduler";
import { firestore } from "../shared/firestore";
import { sweepExpiredGrants } from "../ledger/grants/expirySweep";
import { renewPlans as renew } from "./renew";

export { setUserPlan } from "./http";
export { createCheckoutSession } from "./stripe/checkout";
export { stripeWebhook } from "./stripe/webhook";

const BATCH = 200;

// Hourly: a period ends at its own time of day; an hour late costs nothing (spends expire lazily).
export const renewPlans = onSchedule({ schedule: "every 60 minutes", timeZone: "UTC", retryCount: 0, timeoutSeconds: 540 }, async () => {
  await renew(firestore(), new Date(), BATCH);
});

export const expireGrants = onSchedule({ schedule: "every 60 minutes", timeZone: "UTC", retryCount: 0, timeoutSeconds: 540 }, async () => {
  await sweepExpiredGrants(firestore(), new Date(), BATCH);
});
