// Every deployed function. Each feature module owns its handlers; this file only names them.
// Every HTTPS function here must also be in openapi/registry.ts (a test checks).

export { createGenerationRequest, getGenerationRequest, listGenerationRequests, cancelGenerationRequest } from "./requests/http";
export { getUserCredits, grantCredits } from "./ledger/http";
export { onGenerationRequestUpdated } from "./requests/trigger";
export { createApiKey, listApiKeys, revokeApiKey } from "./auth/apiKeysHttp";
export { setUserRole, listAuditLog } from "./auth/rolesHttp";
export { listUsers } from "./users/http";
export { scheduleWeeklyReport, weeklyReport } from "./reports";
export { sweepStuckJobs } from "./dispatch/triggers";
export { deliverWebhook, getWebhookSecret, rotateWebhookSecret } from "./webhooks/triggers";
export { health } from "./http/health";
