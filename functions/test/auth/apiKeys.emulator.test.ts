// API keys over HTTP against the Functions emulator: lifecycle, scopes, expiry, forgeries,
// per-key rate limit and daily quota, each with the money invariant checked after.
import { callFunction, createTestUser, db, functionsUrl, ledgerState, signIn } from "../../../test-support/emulator";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space" };
let admin: string;

beforeAll(async () => {
  admin = await signIn("admin@example.com");
});

async function newKey(userId: string, extra: Record<string, unknown> = {}) {
  const res = await callFunction("createApiKey", { token: admin, body: { userId, name: "test key", ...extra } });
  expect(res.status).toBe(201);
  return res.body as { key: string; keyId: string; prefix: string; scopes: string[] };
}

const auditFor = async (userId: string) => (await callFunction("listAuditLog", { token: admin, query: { userId, limit: 50 } })).body.entries as any[];

describe("API keys", () => {
  it("a key is shown once, debits its user, is recorded, then refused once revoked", async () => {
    const u = await createTestUser({ credits: 5 });
    const created = await newKey(u.uid);
    expect(created.key).toMatch(new RegExp(`^${created.prefix}_[A-Za-z0-9_-]{43}$`));
    expect(created.prefix).toMatch(/^sk_test_[0-9a-f]{16}$/);
    expect(created.scopes).toEqual(["generate", "read"]);

    const viaKey = await callFunction("createGenerationRequest", { apiKey: created.key, body: CAT });
    expect(viaKey.status).toBe(201);
    expect((await ledgerState(u.uid)).credits).toBe(4);
    const request = await db().doc(`generationRequests/${viaKey.body.generationRequestId}`).get();
    expect(request.get("userId")).toBe(u.uid);

    const listed = await callFunction("listApiKeys", { token: admin, query: { userId: u.uid } });
    expect(listed.body.keys).toEqual([expect.objectContaining({ keyId: created.keyId, revokedAt: null, createsToday: 1, lastUsedAt: expect.any(String) })]);
    expect(JSON.stringify(listed.body)).not.toContain(created.key);
    expect(JSON.stringify(listed.body)).not.toContain("hash");
    const stored = await db().doc(`apiKeys/${created.keyId}`).get();
    // The secret is everything after `sk_test_<keyId>_` (base64url: it may itself contain "_").
    const secretPart = created.key.slice(`${created.prefix}_`.length);
    expect(secretPart.length).toBeGreaterThanOrEqual(40);
    expect(JSON.stringify(stored.data())).not.toContain(secretPart);

    const revoked = await callFunction("revokeApiKey", { token: admin, body: { keyId: created.keyId, reason: "leaked in a log" } });
    expect(revoked.body).toMatchObject({ keyId: created.keyId, alreadyRevoked: false });
    expect((await callFunction("revokeApiKey", { token: admin, body: { keyId: created.keyId } })).body).toMatchObject({ alreadyRevoked: true, revokedAt: revoked.body.revokedAt });
    const after = await callFunction("createGenerationRequest", { apiKey: created.key, body: CAT });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("API_KEY_REVOKED");
    expect((await callFunction("getUserCredits", { apiKey: created.key })).body.error.code).toBe("API_KEY_REVOKED");
    const state = await ledgerState(u.uid);
    expect([state.credits, state.ledgerSum]).toEqual([4, 4]);

    const audit = await auditFor(u.uid);
    expect(audit.map((e) => e.action)).toEqual(["apiKey.revoke", "apiKey.create"]);
    expect(audit[0]).toMatchObject({ actor: { uid: "admin_test", role: "admin", via: "id-token" }, target: { userId: u.uid, keyId: created.keyId }, reason: "leaked in a log", after: { revokedAt: revoked.body.revokedAt } });
  });

  it("refuses an expired key with its own code", async () => {
    const u = await createTestUser({ credits: 5 });
    const { key, keyId } = await newKey(u.uid, { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await callFunction("getUserCredits", { apiKey: key })).status).toBe(200);
    // Time passing, without waiting for it (keys are read on every call, never cached): the expiry moves to a second ago.
    await db().doc(`apiKeys/${keyId}`).update({ expiresAt: new Date(Date.now() - 1000) });
    const res = await callFunction("createGenerationRequest", { apiKey: key, body: CAT });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: "API_KEY_EXPIRED", message: expect.stringContaining("expired at") });
    expect((await ledgerState(u.uid)).credits).toBe(5);
  });

  it("limits a key to its scopes", async () => {
    const u = await createTestUser({ credits: 5 });
    const readOnly = await newKey(u.uid, { scopes: ["read"] });
    const generateOnly = await newKey(u.uid, { scopes: ["generate"] });
    const denied = await callFunction("createGenerationRequest", { apiKey: readOnly.key, body: CAT });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: "INSUFFICIENT_SCOPE", details: { required: "generate", granted: ["read"] } });
    expect((await callFunction("cancelGenerationRequest", { apiKey: readOnly.key, body: { id: "whatever" } })).body.error.code).toBe("INSUFFICIENT_SCOPE");
    expect((await callFunction("getUserCredits", { apiKey: readOnly.key })).body.currentCredits).toBe(5);
    expect((await callFunction("listGenerationRequests", { apiKey: readOnly.key })).status).toBe(200);

    const created = await callFunction("createGenerationRequest", { apiKey: generateOnly.key, body: CAT });
    expect(created.status).toBe(201);
    expect((await callFunction("getGenerationRequest", { apiKey: generateOnly.key, query: { id: created.body.generationRequestId } })).body.error.code).toBe("INSUFFICIENT_SCOPE");
    expect((await callFunction("getGenerationRequest", { apiKey: readOnly.key, query: { id: created.body.generationRequestId } })).status).toBe(200);
    const state = await ledgerState(u.uid);
    expect([state.credits, state.ledgerSum]).toEqual([4, 4]);
  });

  it("refuses forged, malformed and foreign keys, and keeps keys off admin endpoints", async () => {
    const u = await createTestUser({ credits: 5 });
    const { key, keyId } = await newKey(u.uid);
    const forged = key.slice(0, -4) + (key.endsWith("AAAA") ? "BBBB" : "AAAA");
    const cases: [string, string][] = [
      ["right id, wrong secret", forged],
      ["unknown id", `sk_test_${"0".repeat(16)}_${key.split("_").pop()}`],
      ["malformed", "sk_test_nope"],
      ["a live key on the emulator", key.replace("sk_test_", "sk_live_")],
    ];
    for (const [label, bad] of cases) {
      const res = await callFunction("createGenerationRequest", { apiKey: bad, body: CAT });
      expect([label, res.status, res.body.error.code]).toEqual([label, 401, "UNAUTHENTICATED"]);
    }
    for (const fn of ["grantCredits", "createApiKey", "revokeApiKey", "setUserRole"]) {
      const res = await callFunction(fn, { apiKey: key, body: { userId: u.uid, amount: 5, reason: "self-service", name: "x", keyId, role: "admin" } });
      expect([fn, res.status]).toEqual([fn, 403]);
    }
    expect((await callFunction("listAuditLog", { apiKey: key })).status).toBe(403);
    const state = await ledgerState(u.uid);
    expect([state.credits, state.ledgerSum]).toEqual([5, 5]);
  });

  it("validates key creation input with field paths", async () => {
    const u = await createTestUser({ credits: 0 });
    const bad: [Record<string, unknown>, string][] = [
      [{ scopes: [] }, "scopes"],
      [{ scopes: ["admin"] }, "scopes.0"],
      [{ scopes: ["read", "read"] }, "scopes"],
      [{ expiresAt: "2020-01-01T00:00:00Z" }, "expiresAt"],
      [{ expiresAt: "tomorrow" }, "expiresAt"],
      [{ dailyQuota: 0 }, "dailyQuota"],
      [{ ratePerMinute: 1.5 }, "ratePerMinute"],
      [{ owner: "me" }, "request"],
    ];
    for (const [extra, path] of bad) {
      const res = await callFunction("createApiKey", { token: admin, body: { userId: u.uid, name: "k", ...extra } });
      expect([JSON.stringify(extra), res.status, res.body.error.details.fields.map((f: { path: string }) => f.path)]).toEqual([JSON.stringify(extra), 400, expect.arrayContaining([path])]);
    }
    expect((await callFunction("listApiKeys", { token: admin, query: { userId: u.uid } })).body.keys).toEqual([]);
  });
});

describe("per-key limits", () => {
  it("30 rapid creates over a limit of 12/minute: exactly 12 accepted and charged, 18 refused with Retry-After", async () => {
    const u = await createTestUser({ credits: 200 });
    const { key } = await newKey(u.uid, { ratePerMinute: 12 });
    // The window opens at the first create and the whole burst must land inside it: 30 creates on
    // 3 lanes take a few seconds even with cold Functions-emulator workers (100 took 13-40 s on
    // 2 cores, too close to the minute). Few lanes: the emulator boots a worker per concurrent request.
    const lanes = 3;
    const results: { status: number; code?: string; retryAfter: string | null }[] = [];
    await Promise.all(Array.from({ length: lanes }, async (_, lane) => {
      for (let i = lane; i < 30; i += lanes) {
        const res = await fetchCreate(key, { ...CAT, prompt: `burst ${i}` });
        results.push(res);
      }
    }));
    const ok = results.filter((r) => r.status === 201);
    const limited = results.filter((r) => r.status === 429);
    expect([ok.length, limited.length]).toEqual([12, 18]);
    for (const r of limited) {
      expect(r.code).toBe("RATE_LIMITED");
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(r.retryAfter)).toBeLessThanOrEqual(60);
    }
    const state = await ledgerState(u.uid);
    expect([state.credits, state.ledgerSum]).toEqual([188, 188]);
    expect(state.entries.filter((e: any) => e.type === "debit")).toHaveLength(12);
    // The user's own ID token is a different principal with its own window.
    expect((await callFunction("createGenerationRequest", { token: u.token, body: CAT })).status).toBe(201);
  });

  it("a daily quota refuses with QUOTA_EXCEEDED until midnight UTC; replays are free", async () => {
    const u = await createTestUser({ credits: 20 });
    const { key } = await newKey(u.uid, { dailyQuota: 3 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetchCreate(key, { ...CAT, idempotencyKey: `quota-key-${i}-${u.uid}` })).status);
    expect(statuses).toEqual([201, 201, 201]);
    // Retry-After is the time left until the next UTC midnight at the moment the server answered:
    // between what it was when the call was sent and when its answer arrived, however slow.
    const toMidnight = (at: Date) => (Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1) - at.getTime()) / 1000;
    const sent = new Date();
    const over = await fetchCreate(key, { ...CAT, prompt: "one too many" });
    const answered = new Date();
    expect(over.status).toBe(429);
    expect(over.code).toBe("QUOTA_EXCEEDED");
    expect(Number(over.retryAfter)).toBeGreaterThanOrEqual(Math.floor(toMidnight(answered)));
    expect(Number(over.retryAfter)).toBeLessThanOrEqual(Math.ceil(toMidnight(sent)));
    expect((await fetchCreate(key, { ...CAT, idempotencyKey: `quota-key-0-${u.uid}` })).status).toBe(200);
    const state = await ledgerState(u.uid);
    expect([state.credits, state.ledgerSum]).toEqual([17, 17]);
  });
});

async function fetchCreate(key: string, body: unknown) {
  const res = await fetch(functionsUrl("createGenerationRequest"), {
    method: "POST", headers: { "content-type": "application/json", "x-api-key": key }, body: JSON.stringify(body),
  });
  const json = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: json.error?.code, retryAfter: res.headers.get("retry-after") };
}
