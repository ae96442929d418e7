// The one list of HTTPS endpoints. The OpenAPI document, the Hosting rewrites in firebase.json
// and api.http are all checked against it, and a test checks it against every HTTPS function
// that index.ts exports, so an endpoint cannot ship undocumented.
import type { DescribedFunction, DescribedSpec } from "../http/endpoint";
import { cancelGenerationRequest, createGenerationRequest, createGenerationRequests, getGenerationRequest, listGenerationRequests, streamGenerationRequest } from "../requests/http";
import { getUserCredits, grantCredits } from "../ledger/http";
import { createApiKey, listApiKeys, revokeApiKey } from "../auth/apiKeysHttp";
import { listAuditLog, setUserRole } from "../auth/rolesHttp";
import { listUsers } from "../users/http";
import { scheduleWeeklyReport } from "../reports/triggers";
import { getWebhookSecret, rotateWebhookSecret } from "../webhooks/triggers";
import { health } from "../http/health";
import { deleteGenerationRequest, eraseUser, exportUserData } from "../lifecycle/http";
import { createUpload } from "../uploads/http";
import { cancelCustomModel, createCustomModel, deleteCustomModel, getCustomModel, listCustomModels } from "../models/http";
import { setUserPlan } from "../billing/http";
import { createCheckoutSession } from "../billing/stripe/checkout";
import { stripeWebhook } from "../billing/stripe/webhook";
import { acceptInvitation, createOrganization, getOrganization, inviteMember, listMembers, removeMember, setBudget, setMemberRole } from "../orgs/http";
import { createPortalSession } from "../billing/stripe/portal";
import { getUsage } from "../usage/http";

/** Grouped as the reference shows them (one OpenAPI tag per group). */
export const ENDPOINT_GROUPS: Array<{ tag: string; description: string; endpoints: DescribedFunction[] }> = [
  { tag: "Generation", description: "Create, follow and cancel generation requests", endpoints: [createGenerationRequest, createGenerationRequests, getGenerationRequest, streamGenerationRequest, listGenerationRequests, cancelGenerationRequest] },
  { tag: "Credits", description: "Balance, ledger and grants", endpoints: [getUserCredits, grantCredits] },
  { tag: "Usage", description: "What was used per day, model, key or member: requests, images, credits and GPU-seconds", endpoints: [getUsage] },
  { tag: "Webhooks", description: "The secret completion webhooks are signed with", endpoints: [getWebhookSecret, rotateWebhookSecret] },
  { tag: "Admin", description: "Users, roles, API keys (users: their own), the audit log and the weekly report (ID tokens; admins only unless said)", endpoints: [listUsers, setUserRole, createApiKey, listApiKeys, revokeApiKey, listAuditLog, scheduleWeeklyReport] },
  { tag: "Data lifecycle", description: "Delete a request, export a user's data, erase a user", endpoints: [deleteGenerationRequest, exportUserData, eraseUser] },
  { tag: "Billing", description: "Plans, packs and payments", endpoints: [createCheckoutSession, createPortalSession, stripeWebhook, setUserPlan] },
  { tag: "Health", description: "Liveness, no credentials", endpoints: [health] },
  // Custom models and the uploads they train from.
  { tag: "Uploads", description: "Signed, single-use PUT URLs for images too big for a JSON body", endpoints: [createUpload] },
  { tag: "Custom models", description: "Train a LoRA from 10-20 photos, follow it, then generate with `customModelId`", endpoints: [createCustomModel, getCustomModel, listCustomModels, cancelCustomModel, deleteCustomModel] },
  { tag: "Organisations", description: "Teams sharing one wallet: members and roles, invitations, budgets that are never exceeded", endpoints: [createOrganization, getOrganization, inviteMember, acceptInvitation, listMembers, setMemberRole, removeMember, setBudget] },
];

export interface RegisteredEndpoint extends DescribedSpec {
  tag: string;
}

export function registeredEndpoints(): RegisteredEndpoint[] {
  return ENDPOINT_GROUPS.flatMap((g) => g.endpoints.map((f) => ({ ...f.spec, tag: g.tag })));
}
