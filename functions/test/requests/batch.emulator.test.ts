// createGenerationRequests over HTTP, as a client calls it: per-item outcomes in order, each item
// exactly once (its own idempotencyKey, or the batch's + ":" + index), envelope validation, scopes.
import { callFunction, createTestUser, db, ledgerState, signIn } from "../../../test-support/emulator";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space" };
const call = (auth: { token?: string; apiKey?: string }, body: unknown) => callFunction("createGenerationRequests", { ...auth, body });

describe("createGenerationRequests", () => {
  it("answers 200 with one result per item, in order; a refused item never fails the others", async () => {
    const u = await createTestUser({ credits: 6, prefix: "batch" });
    const res = await call({ token: u.token }, {
      requests: [
        { ...CAT, idempotencyKey: "listing-9-photo-1" },
        { ...CAT, model: "nope" },
        { ...CAT, model: "B", numImages: 2 },
        { ...CAT, idempotencyKey: "listing-9-photo-1" },
        { ...CAT, prompt: "other", idempotencyKey: "listing-9-photo-1" },
        { ...CAT, model: "B" },
        CAT,
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: any) => [r.index, r.status, r.error?.code ?? r.currentCredits])).toEqual([
      [0, 201, 5], [1, 400, "INVALID_ARGUMENT"], [2, 201, 1], [3, 200, 5], [4, 409, "FAILED_PRECONDITION"], [5, 402, "INSUFFICIENT_CREDITS"], [6, 201, 0],
    ]);
    expect(res.body.results[1].error.details.fields[0].path).toBe("model");
    expect(res.body.results[0]).toMatchObject({ requestStatus: "queued", deductedCredits: 1, replayed: false });
    expect(res.body.results[3]).toMatchObject({ generationRequestId: res.body.results[0].generationRequestId, replayed: true });
    expect(res.body.summary).toEqual({ created: 3, replayed: 1, refused: 3 });
    const state = await ledgerState(u.uid);
    expect([state.credits, state.ledgerSum]).toEqual([0, 0]);
    expect(state.entries.filter((e: any) => e.type === "debit")).toHaveLength(3);
    const doc = await db().doc(`generationRequests/${res.body.results[2].generationRequestId}`).get();
    expect(doc.data()).toMatchObject({ userId: u.uid, model: "B", numImages: 2, cost: 4, balanceAfterDebit: 1, status: "queued", dispatch: { state: "enqueued" } });
  });

  it("a retried call with the batch's idempotencyKey replays every item and charges nothing more", async () => {
    const u = await createTestUser({ credits: 10, prefix: "batch" });
    const body = { idempotencyKey: "listing-42-upload", requests: Array.from({ length: 4 }, (_, i) => ({ ...CAT, prompt: `room ${i}` })) };
    const first = await call({ token: u.token }, body);
    const again = await Promise.all([call({ token: u.token }, body), call({ token: u.token }, body)]);
    expect(first.body.results.map((r: any) => r.status)).toEqual([201, 201, 201, 201]);
    for (const res of again) {
      expect(res.body.results.map((r: any) => [r.status, r.generationRequestId])).toEqual(first.body.results.map((r: any) => [200, r.generationRequestId]));
    }
    // The same item sent alone with the derived key is the same request.
    const single = await callFunction("createGenerationRequest", { token: u.token, body: { ...CAT, prompt: "room 2", idempotencyKey: "listing-42-upload:2" } });
    expect([single.status, single.body.generationRequestId]).toEqual([200, first.body.results[2].generationRequestId]);
    const state = await ledgerState(u.uid);
    expect([state.credits, state.ledgerSum]).toEqual([6, 6]);
  });

  it("validates the envelope: 1..50 requests, no unknown fields, a usable idempotencyKey", async () => {
    const u = await createTestUser({ credits: 100, prefix: "batch" });
    const cases: [unknown, string][] = [
      [{ requests: [] }, "requests"],
      [{ requests: Array.from({ length: 51 }, () => CAT) }, "requests"],
      [{ requests: [CAT], extra: true }, "request"],
      [{ requests: [CAT], idempotencyKey: "short" }, "idempotencyKey"],
      [{ requests: CAT }, "requests"],
    ];
    for (const [body, path] of cases) {
      const res = await call({ token: u.token }, body);
      expect([res.status, res.body.error.code, res.body.error.details.fields.map((f: any) => f.path)]).toEqual([400, "INVALID_ARGUMENT", expect.arrayContaining([path])]);
    }
    expect((await ledgerState(u.uid)).credits).toBe(100);
  });

  it("needs the generate scope with an API key; a key's batch counts against the key's limits", async () => {
    const u = await createTestUser({ credits: 10, prefix: "batch" });
    const admin = await signIn("admin@example.com");
    const readKey = (await callFunction("createApiKey", { token: admin, body: { userId: u.uid, name: "r", scopes: ["read"] } })).body.key;
    const genKey = (await callFunction("createApiKey", { token: admin, body: { userId: u.uid, name: "g", ratePerMinute: 3, maxConcurrentCreates: 5 } })).body;
    expect(genKey.maxConcurrentCreates).toBe(5);
    expect((await call({ apiKey: readKey }, { requests: [CAT] })).body.error.code).toBe("INSUFFICIENT_SCOPE");
    const res = await call({ apiKey: genKey.key }, { requests: Array.from({ length: 5 }, (_, i) => ({ ...CAT, prompt: `k ${i}` })) });
    expect(res.body.results.map((r: any) => r.error?.code ?? r.status)).toEqual([201, 201, 201, "RATE_LIMITED", "RATE_LIMITED"]);
    expect(res.body.results[3].error.details.retryAfterSeconds).toBeGreaterThan(0);
    const state = await ledgerState(u.uid);
    expect([state.credits, state.ledgerSum]).toEqual([7, 7]);
  });
});
