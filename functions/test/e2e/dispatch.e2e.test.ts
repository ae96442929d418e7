// The whole loop on the emulators: createGenerationRequest → Tasks emulator → runner process(es)
// → fake ComfyUI → outputs → succeeded, or → failed → refund. Only ComfyUI is fake.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { callFunction, createTestUser, db, ledgerState } from "../../../test-support/emulator";
import { loadConfig } from "../../src/config";
import { createDispatcher } from "../../src/dispatch/dispatch";
import { TasksEmulatorDispatcher } from "../../src/dispatch/tasksEmulator";
import { queueConfig } from "../../src/dispatch/queueConfig";
import { sweepStuckRequests } from "../../src/dispatch/sweep";
import { sweepLimits } from "../../src/dispatch/sweepPlan";
import { createGenerationRequest } from "../../src/requests/create";
import { firestore } from "../../src/shared/firestore";
import { verifySignature } from "../../src/webhooks/signature";
import { promptsFor, spawnRunner, startFakeComfy, startFront, terminal, until, type FakeComfy, type Front, type RunnerProcess } from "./stack";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space" };
const port = Number(process.env.E2E_RUNNER_PORT);
const cfg = loadConfig();

let fake: FakeComfy;
let front: Front;
const runners: RunnerProcess[] = [];

async function runner(name: string): Promise<RunnerProcess> {
  const r = await spawnRunner(fake, name);
  runners.push(r);
  return r;
}

async function create(token: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await callFunction("createGenerationRequest", { token, body: { ...CAT, ...extra } });
  expect(res.status).toBe(201);
  expect(res.body.status).toBe("queued");
  return res.body.generationRequestId;
}

const refunds = (entries: any[]) => entries.filter((e) => e.type === "refund");
const debits = (entries: any[]) => entries.filter((e) => e.type === "debit");

beforeAll(async () => {
  if (cfg.DISPATCH_MODE !== "tasks-emulator" || !port) throw new Error("run e2e tests through `npm test` (phase 2 sets DISPATCH_MODE and E2E_RUNNER_PORT)");
  fake = await startFakeComfy({ port: 0, imageMs: 30 });
  front = await startFront(port);
  front.backends = [(await runner("runner-a")).url];
});
afterAll(async () => {
  await Promise.all(runners.map((r) => r.stop("SIGKILL")));
  await front?.close();
  await fake?.close();
});
afterEach(() => fake.faults.set({ mode: "none", imageMs: 30 }));

describe("dispatch end to end (Tasks emulator → runner → fake ComfyUI)", () => {
  it("happy path: succeeded, outputs stored and downloadable, debited once", async () => {
    const u = await createTestUser({ credits: 10 });
    const id = await create(u.token, { numImages: 2 });
    const done = await terminal(id);
    expect(done.status).toBe("succeeded");
    expect(done.dispatch).toMatchObject({ state: "enqueued", mode: "tasks-emulator", taskId: id, attempts: 1 });
    expect(done.outputs).toHaveLength(2);
    const view = await callFunction("getGenerationRequest", { token: u.token, query: { id } });
    expect(view.body).toMatchObject({ status: "succeeded", charge: "charged", progress: 1 });
    const file = await fetch(view.body.outputs[0].url);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/webp");
    const state = await ledgerState(u.uid);
    expect(debits(state.entries)).toHaveLength(1);
    expect(refunds(state.entries)).toHaveLength(0);
    expect(state.credits).toBe(8);
    expect(state.ledgerSum).toBe(8);
  });

  it("ComfyUI execution error: failed, refunded exactly once, balance restored", async () => {
    fake.faults.set({ mode: "execution_error", count: 1 });
    const u = await createTestUser({ credits: 5 });
    const id = await create(u.token, { numImages: 3 });
    const done = await terminal(id);
    expect(done).toMatchObject({ status: "failed", refunded: true, error: { code: "COMFY_EXECUTION_ERROR" } });
    const state = await ledgerState(u.uid);
    expect(refunds(state.entries)).toEqual([expect.objectContaining({ id: `refund-${id}`, amount: 3 })]);
    expect(state.credits).toBe(5);
    expect(state.ledgerSum).toBe(5);
  });

  it("runner killed mid-job, another started: the second runner follows the dead one's prompt to success, charged once", async () => {
    fake.faults.set({ mode: "none", imageMs: 4000 });
    const u = await createTestUser({ credits: 5 });
    const id = await create(u.token);
    // Killed only once ComfyUI has accepted the prompt (the ids on the document are reserved
    // before submitting), so the job really is mid-flight.
    await until("prompt accepted by ComfyUI", async () => (promptsFor(fake, id).length ? true : undefined));
    const victim = runners[0]!;
    await victim.stop("SIGKILL");
    front.backends = [(await runner("runner-b")).url];
    // The dead runner's 5 s lease runs out well within the task's retries; the next claim
    // follows the prompt ComfyUI is still running instead of failing or running it again.
    const done = await terminal(id);
    expect(done).toMatchObject({ status: "succeeded", refunded: false });
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    expect(promptsFor(fake, id)).toHaveLength(1);
    const state = await ledgerState(u.uid);
    expect(debits(state.entries)).toHaveLength(1);
    expect(refunds(state.entries)).toHaveLength(0);
    expect(state).toMatchObject({ credits: 4, ledgerSum: 4 });
  });

  it("two runners share the queue with duplicate deliveries: every job runs once", async () => {
    front.backends = [...front.backends, (await runner("runner-c")).url];
    fake.faults.set({ mode: "none", imageMs: 100 });
    const u = await createTestUser({ credits: 20 });
    const pushesBefore = front.pushes;
    const ids = await Promise.all(Array.from({ length: 6 }, () => create(u.token)));
    // Extra tasks under other names for the same requests, as a re-dispatch or a double enqueue makes.
    const extra = new TasksEmulatorDispatcher(queueConfig(cfg), { runnerUrl: cfg.RUNNER_URL, headers: { "X-Runner-Token": cfg.RUNNER_SHARED_SECRET } }, cfg.CLOUD_TASKS_EMULATOR_HOST);
    for (const id of ids) {
      for (const suffix of ["dupa", "dupb"]) expect(await extra.dispatch({ requestId: id, taskId: `${id}-${suffix}` })).toMatchObject({ duplicate: false });
    }
    const done = await Promise.all(ids.map((id) => terminal(id)));
    for (const [i, d] of done.entries()) {
      expect(d.status).toBe("succeeded");
      expect(d.attempts).toBe(1);
      expect(promptsFor(fake, ids[i]!)).toHaveLength(1);
    }
    // All three tasks of each request reached a runner; only one of them did the work.
    await until("every task delivered", async () => (front.pushes - pushesBefore >= 3 * ids.length ? true : undefined));
    for (const id of ids) expect(promptsFor(fake, id)).toHaveLength(1);
    const state = await ledgerState(u.uid);
    expect(refunds(state.entries)).toHaveLength(0);
    expect(state.credits).toBe(14);
    expect(state.ledgerSum).toBe(14);
  });

  it("an enqueue that fails after the commit leaves the request pending; the sweeper dispatches it later", async () => {
    const u = await createTestUser({ credits: 3 });
    const dead = createDispatcher({ ...cfg, CLOUD_TASKS_EMULATOR_HOST: "127.0.0.1:9" });
    const result = await createGenerationRequest(firestore(), { uid: u.uid, role: "user", via: "id-token" }, CAT, { dispatcher: dead });
    expect(result.status).toBe("queued");
    const id = result.generationRequestId;
    const before = (await db().doc(`generationRequests/${id}`).get()).data()!;
    expect(before.dispatch).toMatchObject({ state: "pending", attempts: 0 });
    expect(before.dispatch.lastError).toEqual(expect.any(String));
    // The next scheduled run, a few minutes on.
    const summary = await sweepStuckRequests(firestore(), { dispatcher: createDispatcher(cfg), limits: sweepLimits(cfg), batchLimit: 50, now: new Date(Date.now() + 3 * 60_000), userIds: [u.uid] });
    expect(summary.dispatched).toContain(id);
    const done = await terminal(id);
    expect(done).toMatchObject({ status: "succeeded", dispatch: { state: "enqueued", taskId: id, attempts: 1, lastError: null } });
    const state = await ledgerState(u.uid);
    expect(state.credits).toBe(2);
    expect(state.ledgerSum).toBe(2);
  });
});

describe("completion webhooks", () => {
  interface Delivery { headers: http.IncomingHttpHeaders; body: string }
  let receiver: http.Server;
  let hookUrl: string;
  const deliveries: Delivery[] = [];
  let failFirst = 0;

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        deliveries.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(deliveries.length <= failFirst ? 500 : 204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

  it("POSTs the signed public view once the request succeeds, retrying a receiver that answers 500", async () => {
    failFirst = 2;
    const u = await createTestUser({ credits: 5 });
    const secret = await callFunction("getWebhookSecret", { token: u.token });
    expect(secret.status).toBe(200);
    expect(secret.body.secret).toMatch(/^whsec_/);
    const id = await create(u.token, { webhookUrl: hookUrl });
    await terminal(id);
    await until("a delivery the receiver accepted", async () => (deliveries.length > failFirst ? true : undefined));
    expect(deliveries).toHaveLength(3);
    const ids = new Set(deliveries.map((d) => d.headers["x-imagegen-delivery"]));
    expect([...ids]).toEqual([`whd-${id}-succeeded`]);
    for (const d of deliveries) {
      const verdict = verifySignature(secret.body.secret, d.headers["x-imagegen-signature"] as string, d.body, Math.floor(Date.now() / 1000));
      expect(verdict).toMatchObject({ ok: true });
      expect(JSON.parse(d.body)).toMatchObject({ id: `whd-${id}-succeeded`, type: "generation.succeeded", data: { id, status: "succeeded", charge: "charged", userId: u.uid } });
    }
    // The payload carries the GPU time the runner measured (ComfyUI's execution span).
    const gpuSeconds = (await db().doc(`generationRequests/${id}`).get()).get("gpuSeconds");
    expect(gpuSeconds).toBeGreaterThan(0);
    expect(JSON.parse(deliveries[0].body).data.gpuSeconds).toBe(gpuSeconds);
    const log = await until("delivery log", async () => {
      const s = await db().doc(`webhookDeliveries/whd-${id}-succeeded`).get();
      return s.get("deliveredAt") ? s.data() : undefined;
    });
    expect(log).toMatchObject({ requestId: id, attempts: 3, lastStatus: 204, lastError: null });
  });

  it("rotating the secret signs later deliveries with the new secret and, during the overlap, the old one too", async () => {
    failFirst = 0;
    deliveries.length = 0;
    const u = await createTestUser({ credits: 5 });
    const first = await callFunction("getWebhookSecret", { token: u.token });
    const rotated = await callFunction("rotateWebhookSecret", { token: u.token, body: {} });
    expect(rotated.body.secret).not.toBe(first.body.secret);
    const id = await create(u.token, { webhookUrl: hookUrl });
    await terminal(id);
    const d = await until("delivery", async () => deliveries.find((x) => x.headers["x-imagegen-delivery"] === `whd-${id}-succeeded`));
    const now = Math.floor(Date.now() / 1000);
    expect(verifySignature(rotated.body.secret, d.headers["x-imagegen-signature"] as string, d.body, now)).toMatchObject({ ok: true });
    // Receivers still holding the old secret keep verifying until the overlap ends (issue 12 item 9).
    expect(verifySignature(first.body.secret, d.headers["x-imagegen-signature"] as string, d.body, now)).toMatchObject({ ok: true });
    expect((d.headers["x-imagegen-signature"] as string).split(",").filter((p) => p.startsWith("v1="))).toHaveLength(2);
    expect(Date.parse(rotated.body.previousSecretValidUntil)).toBeGreaterThan(Date.now());
  });
});
