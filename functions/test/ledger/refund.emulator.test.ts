// Refunds: exactly once, whoever ends the request, however many times the event is delivered.
import { callFunction, createTestUser, db, ledgerState } from "../../../test-support/emulator";
import { refundIfOwed } from "../../src/ledger/refund";
import { firestore } from "../../src/shared/firestore";
import { until } from "../../../test-support/wait";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space" };

async function created(token: string, extra: Record<string, unknown> = {}) {
  const res = await callFunction("createGenerationRequest", { token, body: { ...CAT, ...extra } });
  expect(res.status).toBe(201);
  return res.body.generationRequestId as string;
}

describe("the refund path", () => {
  it("refunds a failed request once, however many times it is driven to failed and the refund re-run", async () => {
    const u = await createTestUser({ credits: 10 });
    const id = await created(u.token, { numImages: 3 });
    const ref = db().doc(`generationRequests/${id}`);
    // The runner (or the sweeper) ends the job; then the trigger fires, maybe redelivered.
    for (let i = 0; i < 3; i++) await ref.update({ status: "failed", error: { code: "COMFY_EXECUTION_ERROR", message: "boom" }, updatedAt: new Date() });
    const decisions = await Promise.all(Array.from({ length: 10 }, () => refundIfOwed(firestore(), id, "test:duplicate-delivery")));
    // The trigger may have refunded first; either way at most one of these calls may have (the
    // entries below pin exactly one refund overall).
    expect(decisions.filter((d) => d.action === "refund").length).toBeLessThanOrEqual(1);
    await until("refund", async () => ((await ref.get()).get("refunded") ? true : undefined));
    const state = await ledgerState(u.uid);
    expect(state.entries.filter((e: any) => e.type === "refund")).toHaveLength(1);
    expect(state.entries.find((e: any) => e.id === `refund-${id}`)).toMatchObject({ amount: 3, requestId: id });
    expect(state.credits).toBe(10);
    expect(state.ledgerSum).toBe(10);
  });

  it("the Firestore trigger refunds a request the runner marked failed", async () => {
    const u = await createTestUser({ credits: 5 });
    const id = await created(u.token);
    await db().doc(`generationRequests/${id}`).update({ status: "failed", error: { code: "COMFY_TIMEOUT", message: "timed out" } });
    const entry = await until("refund entry", async () => {
      const snap = await db().doc(`users/${u.uid}/ledger/refund-${id}`).get();
      return snap.exists ? snap.data() : undefined;
    });
    expect(entry).toMatchObject({ type: "refund", amount: 1, actor: "system:refund-trigger" });
    expect(entry!.reason).toContain("COMFY_TIMEOUT");
    const state = await ledgerState(u.uid);
    expect(state.credits).toBe(5);
    expect(state.ledgerSum).toBe(5);
    const view = await callFunction("getGenerationRequest", { token: u.token, query: { id } });
    expect(view.body).toMatchObject({ status: "failed", charge: "refunded", error: { code: "COMFY_TIMEOUT" } });
  });

  it("never refunds a succeeded request", async () => {
    const u = await createTestUser({ credits: 5 });
    const id = await created(u.token);
    await db().doc(`generationRequests/${id}`).update({ status: "succeeded", progress: 1 });
    const decisions = await Promise.all(Array.from({ length: 5 }, () => refundIfOwed(firestore(), id, "test")));
    expect(decisions.every((d) => d.action === "skip")).toBe(true);
    const state = await ledgerState(u.uid);
    expect(state.entries.filter((e: any) => e.type === "refund")).toHaveLength(0);
    expect(state.credits).toBe(4);
    expect(state.ledgerSum).toBe(4);
  });
});

describe("cancelGenerationRequest", () => {
  it("refunds at once while queued, and a second cancel changes nothing", async () => {
    const u = await createTestUser({ credits: 10 });
    const id = await created(u.token, { numImages: 2 });
    const first = await callFunction("cancelGenerationRequest", { token: u.token, body: { id } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ id, status: "cancelled", refundedCredits: 2, currentCredits: 10 });
    const again = await Promise.all(Array.from({ length: 5 }, () => callFunction("cancelGenerationRequest", { token: u.token, body: { id } })));
    for (const r of again) expect(r.body).toMatchObject({ status: "cancelled", currentCredits: 10 });
    const state = await ledgerState(u.uid);
    expect(state.entries.filter((e: any) => e.type === "refund")).toHaveLength(1);
    expect(state.credits).toBe(10);
    expect(state.ledgerSum).toBe(10);
  });

  it("refuses to cancel a running or finished request with a clear error", async () => {
    const u = await createTestUser({ credits: 10 });
    for (const status of ["running", "succeeded", "failed"]) {
      const id = await created(u.token);
      await db().doc(`generationRequests/${id}`).update({ status });
      const res = await callFunction("cancelGenerationRequest", { token: u.token, body: { id } });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("FAILED_PRECONDITION");
      expect(res.body.error.message).toContain(status);
    }
  });

  it("treats someone else's request id as not found, for cancel and get", async () => {
    const owner = await createTestUser({ credits: 5 });
    const other = await createTestUser({ credits: 5 });
    const id = await created(owner.token);
    const cancel = await callFunction("cancelGenerationRequest", { token: other.token, body: { id } });
    expect(cancel.status).toBe(404);
    expect(cancel.body.error.code).toBe("NOT_FOUND");
    const get = await callFunction("getGenerationRequest", { token: other.token, query: { id } });
    expect(get.status).toBe(404);
    expect((await db().doc(`generationRequests/${id}`).get()).get("status")).toBe("queued");
    const missing = await callFunction("getGenerationRequest", { token: owner.token, query: { id: "no-such-request" } });
    expect(missing.status).toBe(404);
  });
});
