// Every deployed function. Each feature module owns its handlers; this file only names them,
// and validates the configuration first: a deployment (or an instance) with a missing or invalid
// setting refuses to load, with every bad variable named, instead of failing a paid call later.
// Every HTTPS function here must also be in openapi/registry.ts (a test checks).
import { config } from "./config";
import { lifecycleConfig } from "./lifecycle/config";

config();
lifecycleConfig();

export { createGenerationRequest, createGenerationRequests, getGenerationRequest, streamGenerationRequest, listGenerationRequests, cancelGenerationRequest } from "./requests/http";
export { getUserCredits, grantCredits } from "./ledger/http";
export { getUsage } from "./usage/http";
export { onGenerationRequestUpdated } from "./requests/trigger";
export { createApiKey, listApiKeys, revokeApiKey } from "./auth/apiKeysHttp";
export { setUserRole, listAuditLog } from "./auth/rolesHttp";
export { listUsers } from "./users/http";
export { scheduleWeeklyReport, weeklyReport } from "./reports";
export { sweepStuckJobs } from "./dispatch/triggers";
export { deliverWebhook, getWebhookSecret, rotateWebhookSecret } from "./webhooks/triggers";
export { health } from "./http/health";
export { deleteGenerationRequest, exportUserData, eraseUser } from "./lifecycle/http";
export { lifecycleSweep } from "./lifecycle/triggers";
// Issue 15: uploads and custom models.
export { createUpload, cleanupUploads } from "./uploads/http";
export { createCustomModel, getCustomModel, listCustomModels, cancelCustomModel, deleteCustomModel } from "./models/http";
export { onCustomModelUpdated } from "./models/trigger";
export { setUserPlan, renewPlans, expireGrants, createCheckoutSession, stripeWebhook } from "./billing/triggers";
export { returnExpiredHolds } from "./ledger/holds/triggers";
export { createOrganization, getOrganization, inviteMember, acceptInvitation, listMembers, setMemberRole, removeMember, setBudget } from "./orgs/http";
export { createPortalSession } from "./billing/stripe/portal";
