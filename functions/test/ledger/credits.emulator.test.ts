import { callFunction, createTestUser, ledgerState, signIn } from "../../../test-support/emulator";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space" };

describe("grantCredits", () => {
  it("lets an admin grant and adjust, writing one ledger entry each", async () => {
    const u = await createTestUser({ credits: 0 });
    const admin = await signIn("admin@example.com");
    const grant = await callFunction("grantCredits", { token: admin, body: { userId: u.uid, amount: 25, reason: "welcome bonus" } });
    expect(grant.status).toBe(201);
    expect(grant.body).toMatchObject({ userId: u.uid, amount: 25, currentCredits: 25 });
    const adjust = await callFunction("grantCredits", { token: admin, body: { userId: u.uid, amount: -5, reason: "chargeback" } });
    expect(adjust.body.currentCredits).toBe(20);
    const tooMuch = await callFunction("grantCredits", { token: admin, body: { userId: u.uid, amount: -21, reason: "overdraw" } });
    expect(tooMuch.status).toBe(409);
    const state = await ledgerState(u.uid);
    expect(state.entries.map((e: any) => e.type).sort()).toEqual(["adjustment", "grant"]);
    expect(state.credits).toBe(20);
    expect(state.ledgerSum).toBe(20);
  });

  it("applies a grant with an idempotency key once", async () => {
    const u = await createTestUser({ credits: 0 });
    const admin = await signIn("admin@example.com");
    const body = { userId: u.uid, amount: 7, reason: "promo", idempotencyKey: "promo-2026-11-x" };
    const results = await Promise.all(Array.from({ length: 8 }, () => callFunction("grantCredits", { token: admin, body })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(7);
    expect((await ledgerState(u.uid)).credits).toBe(7);
  });

  it("rejects unknown users, zero amounts and missing reasons", async () => {
    const admin = await signIn("admin@example.com");
    const unknown = await callFunction("grantCredits", { token: admin, body: { userId: "nobody_here", amount: 5, reason: "test" } });
    expect(unknown.status).toBe(404);
    const zero = await callFunction("grantCredits", { token: admin, body: { userId: "user_test2", amount: 0, reason: "test" } });
    expect(zero.status).toBe(400);
    const noReason = await callFunction("grantCredits", { token: admin, body: { userId: "user_test2", amount: 5 } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details.fields[0].path).toBe("reason");
  });
});

describe("pagination", () => {
  it("pages through requests newest first with opaque cursors, and filters by status", async () => {
    const u = await createTestUser({ credits: 20 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await callFunction("createGenerationRequest", { token: u.token, body: { ...CAT, prompt: `cat ${i}` } });
      ids.push(r.body.generationRequestId);
    }
    await callFunction("cancelGenerationRequest", { token: u.token, body: { id: ids[1] } });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await callFunction("listGenerationRequests", { token: u.token, query: { limit: 2, cursor } });
      expect(page.status).toBe(200);
      seen.push(...page.body.requests.map((r: any) => r.id));
      cursor = page.body.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    const cancelled = await callFunction("listGenerationRequests", { token: u.token, query: { status: "cancelled" } });
    expect(cancelled.body.requests.map((r: any) => r.id)).toEqual([ids[1]]);
    expect(cancelled.body.requests[0]).toMatchObject({ status: "cancelled", charge: "refunded" });
    const bad = await callFunction("listGenerationRequests", { token: u.token, query: { cursor: "garbage" } });
    expect(bad.status).toBe(400);
    const badStatus = await callFunction("listGenerationRequests", { token: u.token, query: { status: "done" } });
    expect(badStatus.status).toBe(400);
    const badLimit = await callFunction("listGenerationRequests", { token: u.token, query: { limit: 1000 } });
    expect(badLimit.status).toBe(400);
  });

  it("pages through the credit history and keeps users apart", async () => {
    const u = await createTestUser({ credits: 10 });
    for (let i = 0; i < 3; i++) await callFunction("createGenerationRequest", { token: u.token, body: CAT });
    const first = await callFunction("getUserCredits", { token: u.token, query: { limit: 3 } });
    expect(first.body.currentCredits).toBe(7);
    expect(first.body.transactions.map((t: any) => t.type)).toEqual(["debit", "debit", "debit"]);
    const second = await callFunction("getUserCredits", { token: u.token, query: { limit: 3, cursor: first.body.nextCursor } });
    expect(second.body.transactions.map((t: any) => t.type)).toEqual(["grant"]);
    expect(second.body.nextCursor).toBeNull();
    const peek = await callFunction("getUserCredits", { token: u.token, query: { userId: "user_test1" } });
    expect(peek.status).toBe(403);
    const admin = await signIn("admin@example.com");
    const asAdmin = await callFunction("getUserCredits", { token: admin, query: { userId: u.uid } });
    expect(asAdmin.body.currentCredits).toBe(7);
  });
});
