// Issue 23 item 6: a create commit that landed although the client library reported it as
// failed with an unknown fate (DEADLINE_EXCEEDED, UNAVAILABLE). The call re-reads, finds its own
// never-dispatched requests, and answers them as created (201) and dispatched, charged once;
// a real replay (another call's request) stays 200.
import type { Firestore, WriteBatch } from "firebase-admin/firestore";
import { createTestUser, db, ledgerState } from "../../../test-support/emulator";
import type { Caller } from "../../src/auth/caller";
import { loadCatalog } from "../../src/catalog/catalog";
import { RecordingDispatcher } from "../../src/dispatch/dispatcher";
import { createGenerationRequest } from "../../src/requests/create";
import { createGenerationRequests } from "../../src/requests/createBatch";
import { firestore } from "../../src/shared/firestore";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "unknown fate cat" };
const userCaller = (uid: string): Caller => ({ uid, role: "user", via: "id-token" });

/** The real Firestore, whose first batch commit lands and then reports gRPC `code` (4 or 14). */
function landsButReports(real: Firestore, code: number): { db: Firestore; reported: () => number } {
  let reported = 0;
  const wrap = (batch: WriteBatch) => new Proxy(batch, {
    get(target, prop) {
      if (prop === "commit") {
        return async () => {
          const result = await target.commit();
          if (reported > 0) return result;
          reported++;
          throw Object.assign(new Error("simulated: commit landed, answer lost"), { code });
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const proxied = new Proxy(real, {
    get(target, prop) {
      if (prop === "batch") return () => wrap(target.batch());
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { db: proxied, reported: () => reported };
}

async function expectChargedOnce(uid: string, requestIds: string[], credits: number) {
  const state = await ledgerState(uid);
  expect(state.credits).toBe(state.ledgerSum);
  expect(state.credits).toBe(credits);
  expect(state.entries.filter((e: any) => e.type === "debit").map((e: any) => e.requestId).sort()).toEqual([...requestIds].sort());
}

beforeAll(() => loadCatalog());

describe("a create commit of unknown fate that landed", () => {
  it.each([[4, "DEADLINE_EXCEEDED"], [14, "UNAVAILABLE"]])("single create, reported %i (%s): 201, dispatched at once, charged once", async (code) => {
    const u = await createTestUser({ credits: 5, prefix: "fate" });
    const sim = landsButReports(firestore(), code);
    const dispatcher = new RecordingDispatcher();
    const res = await createGenerationRequest(sim.db, userCaller(u.uid), { ...CAT, idempotencyKey: `fate-single-${code}` }, { dispatcher });
    expect(sim.reported()).toBe(1);
    expect(res).toMatchObject({ deductedCredits: 1, currentCredits: 4, status: "queued", replayed: false });
    expect(dispatcher.jobs.map((j) => j.requestId)).toEqual([res.generationRequestId]);
    expect((await db().doc(`generationRequests/${res.generationRequestId}`).get()).get("dispatch.state")).toBe("enqueued");
    await expectChargedOnce(u.uid, [res.generationRequestId], 4);
    // A later retry with the same key is a true replay: 200, not dispatched again.
    const again = await createGenerationRequest(firestore(), userCaller(u.uid), { ...CAT, idempotencyKey: `fate-single-${code}` }, { dispatcher });
    expect(again).toMatchObject({ generationRequestId: res.generationRequestId, replayed: true });
    expect(dispatcher.jobs).toHaveLength(1);
  });

  it("single create without an idempotency key: the same", async () => {
    const u = await createTestUser({ credits: 5, prefix: "fate" });
    const sim = landsButReports(firestore(), 4);
    const dispatcher = new RecordingDispatcher();
    const res = await createGenerationRequest(sim.db, userCaller(u.uid), CAT, { dispatcher });
    expect(res).toMatchObject({ replayed: false, currentCredits: 4 });
    expect(dispatcher.jobs.map((j) => j.requestId)).toEqual([res.generationRequestId]);
    await expectChargedOnce(u.uid, [res.generationRequestId], 4);
  });

  it("batch: every item of the landed commit is 201 and dispatched; an item replaying an earlier call stays 200", async () => {
    const u = await createTestUser({ credits: 10, prefix: "fate" });
    const earlier = await createGenerationRequest(firestore(), userCaller(u.uid), { ...CAT, idempotencyKey: "fate-earlier-0" }, { dispatcher: new RecordingDispatcher() });
    const sim = landsButReports(firestore(), 4);
    const dispatcher = new RecordingDispatcher();
    const batch = await createGenerationRequests(sim.db, userCaller(u.uid), {
      requests: [{ ...CAT, idempotencyKey: "fate-earlier-0" }, { ...CAT, prompt: "b1" }, { ...CAT, prompt: "b2", idempotencyKey: "fate-batch-2" }, { ...CAT, prompt: "b2", idempotencyKey: "fate-batch-2" }],
    }, { dispatcher });
    expect(sim.reported()).toBe(1);
    expect(batch.results.map((r) => [r.index, r.status, r.replayed])).toEqual([[0, 200, true], [1, 201, false], [2, 201, false], [3, 200, true]]);
    expect(batch.summary).toEqual({ created: 2, replayed: 2, refused: 0 });
    const created = [batch.results[1].generationRequestId!, batch.results[2].generationRequestId!];
    expect(dispatcher.jobs.map((j) => j.requestId).sort()).toEqual([...created].sort());
    for (const id of created) expect((await db().doc(`generationRequests/${id}`).get()).get("dispatch.state")).toBe("enqueued");
    await expectChargedOnce(u.uid, [earlier.generationRequestId, ...created], 7);
  });
});
