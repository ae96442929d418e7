import { callFunction, createTestUser, ledgerState, signIn } from "../../../test-support/emulator";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space" };

describe("API keys", () => {
  it("admin creates a key shown once; the key acts as its user until revoked", async () => {
    const u = await createTestUser({ credits: 5 });
    const admin = await signIn("admin@example.com");
    const created = await callFunction("createApiKey", { token: admin, body: { userId: u.uid, name: "render farm" } });
    expect(created.status).toBe(201);
    const { key, keyId } = created.body;
    expect(key).toMatch(/^igk_/);

    const viaKey = await callFunction("createGenerationRequest", { apiKey: key, body: CAT });
    expect(viaKey.status).toBe(201);
    expect((await ledgerState(u.uid)).credits).toBe(4);
    // A key is a user credential: it cannot act for others nor reach admin endpoints.
    expect((await callFunction("createGenerationRequest", { apiKey: key, body: { ...CAT, userId: "user_test1" } })).status).toBe(403);
    expect((await callFunction("grantCredits", { apiKey: key, body: { userId: u.uid, amount: 5, reason: "nope" } })).status).toBe(403);

    const listed = await callFunction("listApiKeys", { token: admin, query: { userId: u.uid } });
    expect(listed.body.keys).toEqual([expect.objectContaining({ keyId, name: "render farm", revokedAt: null })]);
    expect(JSON.stringify(listed.body)).not.toContain(key);

    const revoked = await callFunction("revokeApiKey", { token: admin, body: { keyId } });
    expect(revoked.status).toBe(200);
    const after = await callFunction("createGenerationRequest", { apiKey: key, body: CAT });
    expect(after.status).toBe(401);
    expect((await ledgerState(u.uid)).credits).toBe(4);
  });

  it("refuses key management to non-admins and unknown users", async () => {
    const u = await createTestUser({ credits: 0 });
    expect((await callFunction("createApiKey", { token: u.token, body: { userId: u.uid, name: "mine" } })).status).toBe(403);
    const admin = await signIn("admin@example.com");
    expect((await callFunction("createApiKey", { token: admin, body: { userId: "ghost_user", name: "x" } })).status).toBe(404);
    expect((await callFunction("revokeApiKey", { token: admin, body: { keyId: "00000000-0000-4000-8000-000000000000" } })).status).toBe(404);
  });
});
