// One example per endpoint, shown in the reference and "try it". A test parses every example
// with the endpoint's own schemas, so an example cannot drift from what the API accepts/answers.
import type { Example } from "./document";

const REQ = "r_1d3eac19d0affc8902ed955c2b2f24a1";
const T0 = "2026-11-21T21:44:56.156Z";
const ORG = "Qz1orgAcme0000000000";
const request = {
  id: REQ, userId: "user_test1", status: "succeeded", model: "A", style: "realistic", color: "vibrant", size: "512x512",
  prompt: "A cat in space", negativePrompt: null, numImages: 1, seed: 1041354420, cost: 1, charge: "charged", progress: 1,
  attempts: 1, error: null, webhookUrl: null, createdAt: T0, startedAt: "2026-11-21T21:44:56.204Z", finishedAt: "2026-11-21T21:44:56.695Z", durationMs: 444, gpuSeconds: 0.312,
  outputsState: "available", deletedAt: null, outputsExpiredAt: null, queue: null,
};
const key = {
  keyId: "61b97336772c9c26", prefix: "sk_test_61b97336772c9c26", name: "render farm", userId: "user_test1", scopes: ["generate", "read"],
  dailyQuota: 500, ratePerMinute: 60, maxConcurrentCreates: null, expiresAt: "2027-06-30T00:00:00.000Z", createdAt: "2026-11-21T22:53:12.008Z", revokedAt: null, lastUsedAt: null,
};
const secret = { secret: "whsec_3q2-7wXlQ0f1mY9uYw0mJ9a1qkVj8xg2XK3v0c5b7lM", algorithm: "HMAC-SHA256 over `${timestamp}.${body}`, header X-Imagegen-Signature: t=<timestamp>,v1=<hex>[,v1=<hex>]; accept if any v1 matches", createdAt: T0, rotatedAt: null, previousSecretValidUntil: null };
const cursor = "eyJzIjoxNzk1Mjk3NDk2LCJuIjoxNTYwMDAwMDAsImlkIjoicl8xIn0";
const UPLOAD = "up_5c0f3e9a41b27d8866e1a0c4";
const CM = "cm_8f14e45fceea167a5a36dedd4bea2543";
const customModel = {
  id: CM, userId: "user_test1", name: "Me, studio light", baseModel: "A", subject: "person", triggerWord: "ohwxkqzv", status: "ready", progress: 1, step: 200, steps: 200,
  cost: 5, charge: "charged", error: null, imageCount: 12, createdAt: "2026-11-22T06:49:58.000Z", startedAt: "2026-11-22T06:50:03.000Z", readyAt: "2026-11-22T07:01:40.000Z", gpuSeconds: 684.2, deletedAt: null,
};

export const EXAMPLES: Record<string, Example> = {
  createGenerationRequest: {
    input: { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space", idempotencyKey: "order-1001-cat" },
    output: { generationRequestId: REQ, deductedCredits: 1, currentCredits: 8, status: "queued", replayed: false },
  },
  createGenerationRequests: {
    input: {
      idempotencyKey: "listing-42",
      requests: [
        { model: "A", style: "scandinavian", color: "muted", size: "512x512", prompt: "living room, staged" },
        { model: "A", style: "scandinavian", color: "muted", size: "512x512", prompt: "bedroom, staged" },
      ],
    },
    output: {
      results: [
        { index: 0, status: 201, generationRequestId: REQ, deductedCredits: 1, currentCredits: 8, requestStatus: "queued", replayed: false },
        { index: 1, status: 402, error: { code: "INSUFFICIENT_CREDITS", message: "this request costs 1 credits; the balance is 0", details: { required: 1, available: 0 } } },
      ],
      summary: { created: 1, replayed: 0, refused: 1 },
    },
  },
  streamGenerationRequest: {
    input: { id: REQ },
    output: `id: running|0|0|\nevent: status\ndata: {"status":"running"}\n\nid: running|40|0|r:6\nevent: progress\ndata: {"progress":0.4}\n\nid: done\nevent: done\ndata: {"id":"${REQ}","status":"succeeded","…":"…"}\n\n`,
  },
  getGenerationRequest: {
    input: { id: REQ },
    output: { ...request, outputs: [{ url: `http://127.0.0.1:8090/files/generations/user_test1/${REQ}/0.webp?expires=1795301099&sig=a9f0`, thumbnailUrl: `http://127.0.0.1:8090/files/generations/user_test1/${REQ}/0.thumb.webp?expires=1795301099&sig=10ff`, contentType: "image/webp", width: 512, height: 512, bytes: 89754, seed: 1041354420 }], previewUrl: null },
  },
  listGenerationRequests: { input: { limit: 1 }, output: { requests: [request], nextCursor: cursor } },
  cancelGenerationRequest: { input: { id: REQ }, output: { id: REQ, status: "cancelled", refundedCredits: 1, currentCredits: 9 } },
  getUserCredits: {
    input: { limit: 2 },
    output: {
      currentCredits: 8,
      grants: [{ id: "grant-seed", source: "admin", remaining: 8, expiresAt: null }],
      debt: 0,
      creditLimit: 0,
      plan: { id: "free", status: "active", periodEnd: null },
      transactions: [
        { id: `debit-${REQ}`, type: "debit", amount: -1, balanceAfter: 8, requestId: REQ, reason: "generation A 512x512 x1", createdAt: T0 },
        { id: "grant-seed", type: "grant", amount: 10, balanceAfter: 10, requestId: null, reason: "seed balance", createdAt: "2026-11-20T09:00:00.000Z" },
      ],
      nextCursor: null,
    },
  },
  createOrganization: { input: { name: "Acme Staging" }, output: { orgId: ORG, name: "Acme Staging", role: "owner" } },
  getOrganization: {
    input: { orgId: ORG },
    output: {
      orgId: ORG, name: "Acme Staging", role: "owner", timeZone: "UTC", lowBalanceCredits: null,
      balance: { currentCredits: 480, debt: 0, creditLimit: 0 }, plan: { id: "free", status: "active", periodEnd: null }, notices: [],
    },
  },
  inviteMember: { input: { orgId: ORG, email: "user2@example.com", role: "member" }, output: { invitationId: "Qz1inv0000000000000A", expiresAt: "2026-11-29T08:00:00.000Z" } },
  acceptInvitation: { input: { invitationId: "Qz1inv0000000000000A" }, output: { orgId: ORG, uid: "user_test2", role: "member", replayed: false } },
  listMembers: {
    input: { orgId: ORG },
    output: {
      members: [
        { uid: "user_test1", email: "user1@example.com", role: "owner", joinedAt: T0, budget: null, usage: null },
        { uid: "user_test2", email: "user2@example.com", role: "member", joinedAt: T0, budget: { period: "day", credits: 20 }, usage: { period: "2026-11-22", used: 3, limit: 20, resetsAt: "2026-11-23T00:00:00.000Z" } },
      ],
      invitations: [],
    },
  },
  setMemberRole: { input: { orgId: ORG, uid: "user_test2", role: "billing" }, output: { orgId: ORG, uid: "user_test2", role: "billing", previousRole: "member" } },
  removeMember: { input: { orgId: ORG, uid: "user_test2", revokeKeys: true }, output: { orgId: ORG, uid: "user_test2", role: null, previousRole: "member", revokedKeys: 1 } },
  setBudget: {
    input: { orgId: ORG, uid: "user_test2", period: "day", credits: 20 },
    output: { orgId: ORG, uid: "user_test2", keyId: null, budget: { period: "day", credits: 20 }, usage: { period: "2026-11-22", used: 3, limit: 20, resetsAt: "2026-11-23T00:00:00.000Z" } },
  },
  grantCredits: {
    input: { userId: "user_test2", amount: 25, reason: "support ticket 4711", idempotencyKey: "ticket-4711" },
    output: { userId: "user_test2", entryId: "grant-52850726502c9dd783c4162f8cfddac2", amount: 25, currentCredits: 28, replayed: false },
  },
  getUsage: {
    input: { from: "2026-11-20", to: "2026-11-21", groupBy: "day" },
    output: {
      userId: "user_test1", orgId: null, from: "2026-11-20", to: "2026-11-21", groupBy: "day", timeZone: "UTC",
      rows: [
        { key: "2026-11-20", requests: 3, images: 4, creditsDebited: 4, creditsRefunded: 1, gpuSeconds: 7.412 },
        { key: "2026-11-21", requests: 0, images: 0, creditsDebited: 0, creditsRefunded: 0, gpuSeconds: 0 },
      ],
      totals: { requests: 3, images: 4, creditsDebited: 4, creditsRefunded: 1, gpuSeconds: 7.412 },
    },
  },
  getWebhookSecret: { input: {}, output: secret },
  // --- money in (issue 16) ---
  createPortalSession: { input: {}, output: { url: "https://billing.stripe.com/p/session/test_YWNjdF8xTjRm" } },
  createCheckoutSession: {
    input: { packId: "pack-100" },
    output: { url: "https://checkout.stripe.com/c/pay/cs_test_a1B2c3", sessionId: "cs_test_a1B2c3" },
  },
  stripeWebhook: {
    input: { id: "evt_1", type: "checkout.session.completed", created: 1795300000, data: { object: { id: "cs_test_a1B2c3", mode: "payment", payment_status: "paid" } } },
    output: { received: true, outcome: "granted 100 (pack-100)" },
  },
  setUserPlan: {
    input: { userId: "user_test2", planId: "creator", reason: "invoiced yearly outside Stripe", idempotencyKey: "contract-2026-118" },
    output: { userId: "user_test2", planId: "creator", periodEnd: "2026-12-22T08:00:00.000Z", grantedCredits: 200, replayed: false },
  },
  rotateWebhookSecret: { input: {}, output: { ...secret, rotatedAt: "2026-11-22T08:00:00.000Z", previousSecretValidUntil: "2026-11-23T08:00:00.000Z" } },
  listUsers: {
    input: { limit: 1, role: "user" },
    output: { users: [{ userId: "user_test1", email: "user1@example.com", role: "user", credits: 8, createdAt: "2026-11-20T09:00:00.000Z", updatedAt: T0 }], nextCursor: cursor },
  },
  setUserRole: {
    input: { userId: "user_test2", role: "admin", reason: "new support lead" },
    output: { userId: "user_test2", before: "user", after: "admin", changed: true, tokensRevoked: false },
  },
  createApiKey: {
    input: { userId: "user_test1", name: "render farm", scopes: ["generate", "read"], dailyQuota: 500, ratePerMinute: 60 },
    output: { ...key, key: "sk_test_61b97336772c9c26_quDqIW0Vm0OhJLcF1ji_K0c2ugHCYtCxjT8VAWyCMs0", note: "store this key now: it is not shown again" },
  },
  listApiKeys: { input: { userId: "user_test1" }, output: { keys: [{ ...key, lastUsedAt: "2026-11-21T22:53:15.000Z", createsToday: 1 }] } },
  revokeApiKey: { input: { keyId: "61b97336772c9c26", reason: "rotated" }, output: { keyId: "61b97336772c9c26", revokedAt: "2026-11-21T22:53:21.154Z", alreadyRevoked: false } },
  listAuditLog: {
    input: { limit: 1 },
    output: {
      entries: [{ id: "njqL69JCRwRlDF0QXdAV", action: "role.set", actor: { uid: "superadmin_test", role: "superadmin", via: "id-token" }, target: { userId: "user_test2" }, before: { role: "user" }, after: { role: "admin" }, reason: "new support lead", at: "2026-11-21T22:53:24.757Z" }],
      nextCursor: cursor,
    },
  },
  scheduleWeeklyReport: {
    input: { week: "2026-W47" },
    output: {
      reportStatus: "success", reportId: "2026-W47",
      anomaly: "generations spiked: 412 this week against a baseline of 96 (4.3x)",
      anomalies: [{ scope: "global", subject: "all", metric: "generations", current: 412, baseline: 96, score: 8.1, reason: "generations spiked: 412 this week against a baseline of 96 (4.3x)" }],
    },
  },
  // Data lifecycle (issue 18)
  deleteGenerationRequest: { input: { id: REQ }, output: { id: REQ, status: "succeeded", deletedAt: "2026-11-22T07:01:12.345Z", alreadyDeleted: false } },
  exportUserData: {
    input: { limit: 2 },
    output: {
      userId: "user_test1", exportedAt: "2026-11-22T07:02:00.000Z",
      profile: {
        userId: "user_test1", email: "user1@example.com", role: "user", credits: 8,
        plan: { id: "free", status: "active", source: "admin", periodStart: null, periodEnd: null }, createdAt: "2026-11-20T09:00:00.000Z", erasedAt: null,
      },
      apiKeys: [key],
      grants: [{ id: "grant-seed", source: "admin", amount: 10, remaining: 8, drawn: 2, givenBack: 0, expired: 0, expiresAt: null, createdAt: "2026-11-20T09:00:00.000Z" }],
      requests: [{ ...request, outputs: [], previewUrl: null, inputImageUrl: null }],
      ledger: [{ id: `debit-${REQ}`, type: "debit", amount: -1, balanceAfter: 8, requestId: REQ, reason: "generation A 512x512 x1", createdAt: T0 }],
      webhookDeliveries: [],
      customModels: [],
      nextCursor: "eyJzIjoxLCJjIjoiZXlKeklqb3hOemsxTWprM05EazJMQ0p1SWpveE5UWXdNREF3TURBd0xDSnBaQ0k2SW1keVlXNTBMWE5sWldRaWZRIn0",
    },
  },
  eraseUser: {
    input: { userId: "user_test2", reason: "account closed at the user's request (ticket 5120)" },
    output: {
      userId: "user_test2", status: "completed", alreadyErased: false,
      stepsDone: ["account", "apiKeys", "stripe", "work", "requests", "storage", "ledger", "webhooks", "profile"],
      startedAt: "2026-11-22T07:03:00.000Z", completedAt: "2026-11-22T07:03:01.250Z",
    },
  },
  health: { output: { status: "ok" } },
  // Issue 15.
  createUpload: {
    input: { purpose: "training-image", contentType: "image/jpeg", bytes: 2481733 },
    output: {
      uploadId: UPLOAD, uploadUrl: `http://127.0.0.1:8090/files/uploads/user_test1/${UPLOAD}?expires=1795331099&bytes=2481733&sig=5be1`,
      method: "PUT", headers: { "Content-Type": "image/jpeg" }, expiresAt: "2026-11-22T07:04:59.000Z",
    },
  },
  createCustomModel: {
    input: { name: "Me, studio light", baseModel: "A", subject: "person", imageUploadIds: Array.from({ length: 10 }, (_, i) => `${UPLOAD.slice(0, -2)}${String(i).padStart(2, "0")}`), idempotencyKey: "my-first-model" },
    output: { customModelId: CM, status: "queued", deductedCredits: 5, currentCredits: 5, replayed: false },
  },
  getCustomModel: { input: { id: CM }, output: { ...customModel, status: "training", progress: 0.42, step: 84, startedAt: "2026-11-22T06:50:03.000Z", charge: "reserved" } },
  listCustomModels: { input: { status: "ready", limit: 1 }, output: { models: [customModel], nextCursor: null } },
  cancelCustomModel: { input: { id: CM }, output: { id: CM, status: "cancelled", refundedCredits: 5, currentCredits: 10 } },
  deleteCustomModel: { input: { id: CM }, output: { id: CM, status: "deleted", refundedCredits: 0, filesDeleted: 11, generationRequestsFailed: 0 } },
};
