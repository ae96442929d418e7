// A user's own API keys over HTTP: made without userId, capped by the plan's keyLimits (rate,
// daily quota, number of live keys, under concurrent creates too), listed and revoked by their
// owner only; keys cannot manage keys.
import { callFunction, createTestUser, db, ledgerState, signIn } from "../../../test-support/emulator";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space" };

/** A user on a plan of their own (no other test reads it): keyLimits rate 15, quota 50, 2 keys. */
async function userOnKeyPlan(credits: number) {
  const u = await createTestUser({ credits, prefix: "ownkey" });
  const planId = `keys-${u.uid}`;
  await db().doc(`plans/${planId}`).set({ displayName: "Key test", monthlyCredits: 0, modelSlots: 0, ratePerMinute: 20, creditLimit: 0, stripePriceId: null, enabled: true, keyLimits: { ratePerMinute: 15, dailyQuota: 50, maxKeys: 2 } });
  await db().doc(`users/${u.uid}`).update({ plan: { id: planId, status: "active", source: "admin", periodStart: null, periodEnd: null, anchorDay: 1 } });
  return u;
}

const create = (token: string, body: Record<string, unknown> = {}) => callFunction("createApiKey", { token, body: { name: "mine", ...body } });

describe("own API keys", () => {
  it("a user makes a key with the plan's caps, uses it, sees it listed without its secret, and revokes it", async () => {
    const u = await userOnKeyPlan(5);
    const made = await create(u.token);
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ userId: u.uid, ratePerMinute: 15, dailyQuota: 50, scopes: ["generate", "read"], note: expect.stringContaining("not shown again") });
    expect((await callFunction("createGenerationRequest", { apiKey: made.body.key, body: CAT })).status).toBe(201);
    const listed = await callFunction("listApiKeys", { token: u.token });
    expect(listed.body.keys).toEqual([expect.objectContaining({ keyId: made.body.keyId, userId: u.uid, createsToday: 1 })]);
    expect(JSON.stringify(listed.body)).not.toContain(made.body.key);
    // Keys cannot manage keys.
    expect((await callFunction("createApiKey", { apiKey: made.body.key, body: { name: "k2" } })).status).toBe(403);
    expect((await callFunction("listApiKeys", { apiKey: made.body.key })).status).toBe(403);
    const revoked = await callFunction("revokeApiKey", { token: u.token, body: { keyId: made.body.keyId } });
    expect(revoked.body).toMatchObject({ keyId: made.body.keyId, alreadyRevoked: false });
    expect((await callFunction("createGenerationRequest", { apiKey: made.body.key, body: CAT })).body.error.code).toBe("API_KEY_REVOKED");
    const state = await ledgerState(u.uid);
    expect([state.credits, state.ledgerSum]).toEqual([4, 4]);
  });

  it("refuses limits over the plan's caps, another user's keys, and a key beyond the plan's count even when created at once", async () => {
    const u = await userOnKeyPlan(0);
    const other = await userOnKeyPlan(0);
    const field = async (body: Record<string, unknown>) => {
      const r = await create(u.token, body);
      return [r.status, r.body.error?.code, r.body.error?.details?.fields?.[0]?.path];
    };
    expect(await field({ ratePerMinute: 16 })).toEqual([400, "INVALID_ARGUMENT", "ratePerMinute"]);
    expect(await field({ dailyQuota: 51 })).toEqual([400, "INVALID_ARGUMENT", "dailyQuota"]);
    expect((await create(u.token, { userId: other.uid })).body.error.code).toBe("PERMISSION_DENIED");
    expect((await callFunction("listApiKeys", { token: u.token, query: { userId: other.uid } })).body.error.code).toBe("PERMISSION_DENIED");

    // Four creates at once against a limit of two live keys: exactly two are made.
    const raced = await Promise.all(Array.from({ length: 4 }, (_, i) => create(u.token, { name: `race ${i}`, ratePerMinute: 5 })));
    expect(raced.map((r) => r.status).sort()).toEqual([201, 201, 409, 409]);
    expect(raced.find((r) => r.status === 409)!.body.error).toMatchObject({ code: "FAILED_PRECONDITION", details: { maxKeys: 2, liveKeys: 2 } });
    const mine = raced.filter((r) => r.status === 201).map((r) => r.body.keyId as string);
    expect((await callFunction("listApiKeys", { token: u.token })).body.keys.map((k: any) => k.keyId).sort()).toEqual([...mine].sort());

    // Another user's key is not found for them; its owner's revocation frees a slot.
    const theirs = (await create(other.token)).body.keyId as string;
    expect((await callFunction("revokeApiKey", { token: u.token, body: { keyId: theirs } })).body.error.code).toBe("NOT_FOUND");
    expect((await db().doc(`apiKeys/${theirs}`).get()).get("revokedAt")).toBeNull();
    expect((await callFunction("revokeApiKey", { token: u.token, body: { keyId: mine[0] } })).status).toBe(200);
    expect((await create(u.token, { name: "after revoke" })).status).toBe(201);
  });

  it("keeps admin-made keys for a user uncapped by the user's plan", async () => {
    const u = await userOnKeyPlan(0);
    const admin = await signIn("admin@example.com");
    const made = await callFunction("createApiKey", { token: admin, body: { userId: u.uid, name: "ops", ratePerMinute: 500 } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ userId: u.uid, ratePerMinute: 500, dailyQuota: null });
  });
});
