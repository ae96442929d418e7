import { callFunction, createTestUser, db, ledgerState, signIn } from "../../../test-support/emulator";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space" };

describe("createGenerationRequest", () => {
  it("charges 1 credit for the seed example and writes request, debit and balance together", async () => {
    const u = await createTestUser({ credits: 10 });
    const res = await callFunction("createGenerationRequest", { token: u.token, body: CAT });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ deductedCredits: 1, currentCredits: 9, status: "queued", replayed: false });
    const id = res.body.generationRequestId as string;
    const doc = await db().doc(`generationRequests/${id}`).get();
    expect(doc.get("status")).toBe("queued");
    expect(doc.get("userId")).toBe(u.uid);
    expect(doc.get("cost")).toBe(1);
    expect(doc.get("dispatch.state")).toBe("enqueued");
    expect(doc.get("render")).toMatchObject({ workflow: "txt2img", width: 512, height: 512, batchSize: 1 });
    expect(doc.get("render.positivePrompt")).toContain("A cat in space");
    const state = await ledgerState(u.uid);
    expect(state.credits).toBe(9);
    expect(state.ledgerSum).toBe(9);
    const debit = state.entries.find((e) => e.id === `debit-${id}`) as any;
    expect(debit).toMatchObject({ type: "debit", amount: -1, balanceAfter: 9, requestId: id });
  });

  it("works for the seeded user1 with the old API's example", async () => {
    const token = await signIn("user1@example.com");
    const before = (await db().doc("users/user_test1").get()).get("credits");
    const res = await callFunction("createGenerationRequest", { token, body: CAT });
    expect(res.status).toBe(201);
    expect(res.body.deductedCredits).toBe(1);
    expect(res.body.currentCredits).toBe(before - 1);
    // Give the credit back so other runs start from the seed.
    await callFunction("cancelGenerationRequest", { token, body: { id: res.body.generationRequestId } });
  });

  it("prices from the catalog: model credits x images x size factor", async () => {
    const u = await createTestUser({ credits: 100 });
    const res = await callFunction("createGenerationRequest", { token: u.token, body: { ...CAT, model: "B", size: "768x768", numImages: 2 } });
    expect(res.status).toBe(201);
    expect(res.body.deductedCredits).toBe(2 * 2 * 2);
    expect(res.body.currentCredits).toBe(92);
  });

  it("20 concurrent 1-credit creates on 5 credits: exactly 5 succeed, 15 get INSUFFICIENT_CREDITS (503s retried as told)", async () => {
    const u = await createTestUser({ credits: 5 });
    // One account's creates serialise; past the transaction's retry bound the answer is 503 with
    // Retry-After, which a client retries. Whatever the interleaving, the outcome is exact.
    const create = async (i: number) => {
      for (;;) {
        const res = await callFunction("createGenerationRequest", { token: u.token, body: { ...CAT, prompt: `cat ${i}` } });
        if (res.status !== 503) return res;
        expect(res.body.error.code).toBe("UNAVAILABLE");
        await new Promise((r) => setTimeout(r, 1000 * Number(res.body.error.details.retryAfterSeconds)));
      }
    };
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => create(i)));
    const ok = results.filter((r) => r.status === 201);
    const broke = results.filter((r) => r.status === 402);
    expect(ok).toHaveLength(5);
    expect(broke).toHaveLength(15);
    for (const r of broke) expect(r.body.error.code).toBe("INSUFFICIENT_CREDITS");
    const state = await ledgerState(u.uid);
    expect(state.credits).toBe(0);
    expect(state.ledgerSum).toBe(0);
    expect(state.entries.filter((e: any) => e.type === "debit")).toHaveLength(5);
    const requests = await db().collection("generationRequests").where("userId", "==", u.uid).get();
    expect(requests.size).toBe(5);
  });

  it("replaying one idempotency key 20 times concurrently makes one request and one debit", async () => {
    const u = await createTestUser({ credits: 10 });
    const body = { ...CAT, idempotencyKey: "order-7f3a-0001" };
    const results = await Promise.all(Array.from({ length: 20 }, () => callFunction("createGenerationRequest", { token: u.token, body })));
    expect(results.every((r) => r.status === 201 || r.status === 200)).toBe(true);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const ids = new Set(results.map((r) => r.body.generationRequestId));
    expect(ids.size).toBe(1);
    for (const r of results) expect(r.body).toMatchObject({ deductedCredits: 1, currentCredits: 9 });
    const state = await ledgerState(u.uid);
    expect(state.credits).toBe(9);
    expect(state.entries.filter((e: any) => e.type === "debit")).toHaveLength(1);
  });

  it("refuses a reused idempotency key with different parameters", async () => {
    const u = await createTestUser({ credits: 10 });
    const first = await callFunction("createGenerationRequest", { token: u.token, body: { ...CAT, idempotencyKey: "key-reuse-0001" } });
    expect(first.status).toBe(201);
    const second = await callFunction("createGenerationRequest", { token: u.token, body: { ...CAT, prompt: "A dog", idempotencyKey: "key-reuse-0001" } });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("FAILED_PRECONDITION");
    expect((await ledgerState(u.uid)).credits).toBe(9);
  });

  it("keeps idempotency keys per user: the same key from two users makes two requests", async () => {
    const a = await createTestUser({ credits: 5 });
    const b = await createTestUser({ credits: 5 });
    const body = { ...CAT, idempotencyKey: "shared-key-0001" };
    const ra = await callFunction("createGenerationRequest", { token: a.token, body });
    const rb = await callFunction("createGenerationRequest", { token: b.token, body });
    expect(ra.status).toBe(201);
    expect(rb.status).toBe(201);
    expect(ra.body.generationRequestId).not.toBe(rb.body.generationRequestId);
  });

  it("lets an admin create for another user, and nobody else", async () => {
    const u = await createTestUser({ credits: 5 });
    const other = await createTestUser({ credits: 5 });
    const admin = await signIn("admin@example.com");
    const asAdmin = await callFunction("createGenerationRequest", { token: admin, body: { ...CAT, userId: u.uid } });
    expect(asAdmin.status).toBe(201);
    expect((await ledgerState(u.uid)).credits).toBe(4);
    const asUser = await callFunction("createGenerationRequest", { token: other.token, body: { ...CAT, userId: u.uid } });
    expect(asUser.status).toBe(403);
    expect(asUser.body.error.code).toBe("PERMISSION_DENIED");
    expect((await ledgerState(u.uid)).credits).toBe(4);
    expect((await ledgerState(other.uid)).credits).toBe(5);
  });
});
