// Queue position and ETA as getGenerationRequest and listGenerationRequests answer them. The jobs
// are written in a pool of this test's own, so other files' queued jobs (phase 1 dispatches
// nothing: every create stays queued) cannot stand in the line; they carry no money and are
// deleted again before the money audit reads the phase.
import { randomUUID } from "node:crypto";
import { Timestamp } from "firebase-admin/firestore";
import { callFunction, createTestUser, db } from "../../../test-support/emulator";

const pool = `test-${randomUUID().slice(0, 8)}`;
const etaKey = `eta-test-${randomUUID().slice(0, 8)}@512x512`;
const ids: string[] = [];
let user: { uid: string; token: string };

function job(status: "queued" | "running", createdAtMs: number, progress = 0) {
  return {
    userId: user.uid, status, pool, etaKey, model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "queue test", negativePrompt: null,
    numImages: 1, seed: 1, cost: 1, refunded: false, progress, attempts: status === "running" ? 1 : 0, error: null, outputs: [], lease: null, webhookUrl: null,
    render: { workflow: "txt2img", positivePrompt: "queue test", negativePrompt: "", width: 512, height: 512, batchSize: 1, seed: 1, steps: 20, cfg: 7 },
    createdAt: Timestamp.fromMillis(createdAtMs), updatedAt: Timestamp.fromMillis(createdAtMs),
  };
}

beforeAll(async () => {
  user = await createTestUser({ credits: 0 });
  const base = Date.now() - 60_000;
  const batch = db().batch();
  // 10 s per image measured; one running job half done (5 s left); 20 queued behind it.
  batch.set(db().doc(`etaStats/${etaKey}`), { meanSecondsPerImage: 10, samples: 3, updatedAt: Timestamp.now() });
  const running = `qt_${randomUUID()}`;
  ids.push(running);
  batch.set(db().doc(`generationRequests/${running}`), job("running", base, 0.5));
  for (let i = 0; i < 20; i++) {
    const id = `qt_${randomUUID()}`;
    ids.push(id);
    // Two share a creation time: the document id breaks the tie, as the queue's order does.
    batch.set(db().doc(`generationRequests/${id}`), job("queued", base + 1 + Math.min(i, 18)));
  }
  await batch.commit();
});

afterAll(async () => {
  const batch = db().batch();
  for (const id of ids) batch.delete(db().doc(`generationRequests/${id}`));
  batch.delete(db().doc(`etaStats/${etaKey}`));
  await batch.commit();
});

describe("queue position and ETA", () => {
  it("answers the exact position of each of 20 queued jobs and an ETA from the measured times, the 2 slots and the running job's progress", async () => {
    const queued = (await Promise.all(ids.slice(1).map((id) => db().doc(`generationRequests/${id}`).get())))
      .sort((a, b) => a.get("createdAt").toMillis() - b.get("createdAt").toMillis() || (a.id < b.id ? -1 : 1));
    const answers = await Promise.all(queued.map((d) => callFunction("getGenerationRequest", { token: user.token, query: { id: d.id } })));
    // Slots free at 5 s (the running job) and 0 s: job i ends at 10 + 5 i seconds.
    expect(answers.map((a) => a.body.queue)).toEqual(queued.map((_, i) => ({ position: i, etaSeconds: 10 + 5 * i })));
    const running = await callFunction("getGenerationRequest", { token: user.token, query: { id: ids[0] } });
    expect(running.body.queue).toEqual({ position: null, etaSeconds: 5 });
  });

  it("the list answers the same figures, and none for a finished job", async () => {
    const res = await callFunction("listGenerationRequests", { token: user.token, query: { limit: 50 } });
    expect(res.status).toBe(200);
    const byPosition = res.body.requests.filter((r: any) => r.status === "queued").map((r: any) => r.queue.position).sort((a: number, b: number) => a - b);
    expect(byPosition).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(res.body.requests.find((r: any) => r.id === ids[0]).queue).toEqual({ position: null, etaSeconds: 5 });
    await db().doc(`generationRequests/${ids[0]}`).update({ status: "succeeded", progress: 1 });
    const after = await callFunction("getGenerationRequest", { token: user.token, query: { id: ids[0] } });
    expect(after.body.queue).toBeNull();
  });
});
