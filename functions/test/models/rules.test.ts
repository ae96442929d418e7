// The pure rules behind custom models and uploads, without emulators.
import { loadConfig } from "../../src/config";
import { TRAIN } from "../../src/dispatch/jobKinds";
import { trainingQueueConfig } from "../../src/dispatch/queueConfig";
import { buildTask } from "../../src/dispatch/task";
import { withTriggerWord } from "../../src/models/lora";
import { walletOf } from "../../src/ledger/grants/wallet";
import { planTrainingCommit } from "../../src/models/plan";
import { modelCharge } from "../../src/models/view";
import { uploadRefusal } from "../../src/uploads/store";
import { webhookEvent } from "../../src/webhooks/deliver";

const wallet = (credits: number) => walletOf({ credits });
const facts = { id: "m1", uid: "u1", fingerprint: "f", cost: 5, wallet: wallet(10), nowMs: Date.parse("2026-11-22T12:00:00Z"), debitFields: { reason: "training A" }, activeModels: 0, maxModels: 3, existing: null };

describe("planTrainingCommit", () => {
  it("creates and debits when a slot and the funds are there", () => {
    const d = planTrainingCommit(facts);
    if (d.kind !== "create") throw new Error(`expected create, got ${d.kind}`);
    expect(d.session.credits).toBe(5);
    // One debit entry, drawn from the balance's grant, named after the model.
    expect(d.session.entries.map((e) => [e.id, e.data.amount, e.data.requestId, e.data.balanceAfter])).toEqual([["debit-m1", -5, "m1", 5]]);
    expect((d.session.entries[0].data.draws as Array<{ amount: number }>).reduce((a, x) => a + x.amount, 0)).toBe(5);
  });
  it("replays the stored answer for the same key and parameters, before any limit", () => {
    const existing = { userId: "u1", paramsHash: "f", cost: 5, balanceAfterDebit: 5, status: "training" };
    expect(planTrainingCommit({ ...facts, wallet: wallet(0), activeModels: 3, existing })).toEqual({ kind: "replay", result: { status: "training", deductedCredits: 5, currentCredits: 5, replayed: true } });
    expect(planTrainingCommit({ ...facts, existing: { ...existing, paramsHash: "g" } })).toMatchObject({ kind: "refuse", error: { code: "FAILED_PRECONDITION" } });
  });
  it("refuses a full set of slots (409 naming the limit) before short funds (402)", () => {
    expect(planTrainingCommit({ ...facts, activeModels: 3, wallet: wallet(0) })).toMatchObject({ kind: "refuse", error: { code: "FAILED_PRECONDITION", message: expect.stringMatching(/at most 3/) } });
    expect(planTrainingCommit({ ...facts, wallet: wallet(4) })).toMatchObject({ kind: "refuse", error: { code: "INSUFFICIENT_CREDITS" } });
  });
});

describe("uploadRefusal", () => {
  const now = Date.parse("2026-11-22T12:00:00Z");
  const doc = (d: Record<string, unknown>) => ({ exists: true, get: (k: string) => d[k] });
  const base = { userId: "u1", purpose: "training-image", status: "pending", usedBy: null, createdAt: new Date(now - 1000) };
  it("accepts the owner's fresh upload of the right purpose", () => expect(uploadRefusal(doc(base), "u1", "training-image", now, 86_400_000)).toBeNull());
  it("reads someone else's upload exactly like a missing one", () => {
    expect(uploadRefusal(doc(base), "u2", "training-image", now, 86_400_000)).toBe("upload not found");
    expect(uploadRefusal({ exists: false, get: () => undefined }, "u1", "training-image", now, 86_400_000)).toBe("upload not found");
  });
  it("refuses another purpose, an old upload, and a used one unless used by the same model", () => {
    expect(uploadRefusal(doc(base), "u1", "input-image", now, 86_400_000)).toMatch(/for 'training-image'/);
    expect(uploadRefusal(doc({ ...base, createdAt: new Date(now - 86_400_001) }), "u1", "training-image", now, 86_400_000)).toMatch(/expired/);
    const used = doc({ ...base, status: "used", usedBy: "cm_1" });
    expect(uploadRefusal(used, "u1", "training-image", now, 86_400_000, "cm_2")).toMatch(/already used/);
    expect(uploadRefusal(used, "u1", "training-image", now, 86_400_000, "cm_1")).toBeNull();
  });
});

describe("withTriggerWord", () => {
  it("prepends the word when the prompt lacks it as a whole word", () => {
    expect(withTriggerWord("a portrait", "ohwxabcd")).toBe("ohwxabcd a portrait");
    expect(withTriggerWord("ohwxabcde in a field", "ohwxabcd")).toBe("ohwxabcd ohwxabcde in a field");
  });
  it("keeps the prompt when the word is there, in any case", () => {
    expect(withTriggerWord("photo of OHWXabcd, smiling", "ohwxabcd")).toBe("photo of OHWXabcd, smiling");
  });
});

describe("modelCharge", () => {
  it("reserves while queued or training, charges ready (and deleted) models, refunds failed and cancelled ones", () => {
    expect(["queued", "training", "ready", "deleted", "failed", "cancelled"].map((s) => modelCharge(s, false))).toEqual(["reserved", "reserved", "charged", "charged", "refund-pending", "refund-pending"]);
    expect(modelCharge("deleted", true)).toBe("refunded");
  });
});

describe("training tasks", () => {
  const cfg = loadConfig({ FUNCTIONS_EMULATOR: "true", GCLOUD_PROJECT: "demo-x", TRAINING_DISPATCH_DEADLINE_SECONDS: "7200" });
  it("go to their own queue, capped at Cloud Tasks' 30-minute deadline, one at a time by default", () => {
    expect(trainingQueueConfig(cfg)).toMatchObject({ queue: "training", dispatchDeadlineSeconds: 1800, rateLimits: { maxConcurrentDispatches: 1 } });
  });
  it("POST /tasks/train with {customModelId}", () => {
    const t = buildTask(trainingQueueConfig(cfg), { runnerUrl: "http://127.0.0.1:8090" }, "cm_1", "cm_1", TRAIN.task("cm_1"));
    expect(t.name).toBe("projects/demo-x/locations/us-central1/queues/training/tasks/cm_1");
    expect(t.httpRequest.url).toBe("http://127.0.0.1:8090/tasks/train");
    expect(JSON.parse(Buffer.from(t.httpRequest.body, "base64").toString())).toEqual({ customModelId: "cm_1" });
  });
});

describe("custom model webhooks", () => {
  it("carry the model's view as customModel.<status>", () => {
    const data: Record<string, unknown> = { userId: "u1", name: "n", baseModel: "A", subject: "person", triggerWord: "ohwxabcd", status: "ready", progress: 1, step: 200, steps: 200, cost: 5, refunded: false, imageCount: 10, lora: { path: "loras/x", sha256: "s" }, train: { photos: [] } };
    const doc = { id: "cm_1", data: () => data, get: (k: string) => data[k] } as unknown as FirebaseFirestore.DocumentSnapshot;
    const event = webhookEvent(doc, "whd-cm_1-ready", "train");
    expect(event).toMatchObject({ id: "whd-cm_1-ready", type: "customModel.ready", data: { id: "cm_1", status: "ready", charge: "charged", triggerWord: "ohwxabcd" } });
    expect(JSON.stringify(event)).not.toMatch(/loras\/|photos/);
  });
});
