// Every deployed function. Each feature module owns its handlers; this file only names them,
// and validates the configuration first: a deployment (or an instance) with a missing or invalid
// setting refuses to load, with every bad variable named, instead of failing a paid call later.
// Every HTTPS function here must also be in openapi/registry.ts (a test checks).
import { config } from "./config";

config();

export { createGenerationRequest, createGenerationRequests, getGenerationRequest, listGenerationRequests, cancelGenerationRequest } from "./requests/http";
export { getUserCredits, grantCredits } from "./ledger/http";
export { onGenerationRequestUpdated } from "./requests/trigger";
export { createApiKey, listApiKeys, revokeApiKey } from "./auth/apiKeysHttp";
export { setUserRole, listAuditLog } from "./auth/rolesHttp";
export { listUsers } from "./users/http";
export { scheduleWeeklyReport, weeklyReport } from "./reports";
export { sweepStuckJobs } from "./dispatch/triggers";
export { deliverWebhook, getWebhookSecret, rotateWebhookSecret } from "./webhooks/triggers";
export { health } from "./http/health";
export { setUserPlan, renewPlans, expireGrants, createCheckoutSession, stripeWebhook } from "./billing/triggers";
