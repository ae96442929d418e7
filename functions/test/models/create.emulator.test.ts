// createCustomModel over HTTP: photos checked before any money moves, one debit in the create's
// transaction, the contract's document, idempotency replays, the slot limit, and every bad input
// the issue lists answered with a clear 4xx and nothing charged (balance == sum(ledger)).
import { Timestamp } from "firebase-admin/firestore";
import { callFunction, createTestUser, db, ledgerState, signIn } from "../../../test-support/emulator";
import { createdModel, createUpload, dataUrl, modelDoc, onDisk, photo, photos, startUploadServer, uploaded } from "./helpers";

let server: Awaited<ReturnType<typeof startUploadServer>>;
beforeAll(async () => (server = await startUploadServer()));
afterAll(() => server.close());

const BODY = { name: "Me, studio light", baseModel: "A", subject: "person" };
const create = (token: string, body: Record<string, unknown>) => callFunction("createCustomModel", { token, body: { ...BODY, ...body } });
const uploadMany = (token: string, pngs: Buffer[]) => Promise.all(pngs.map((p) => uploaded(server.origin, token, p)));

async function expectNothingCharged(uid: string, credits: number) {
  const state = await ledgerState(uid);
  expect(state.credits).toBe(credits);
  expect(state.ledgerSum).toBe(credits);
  expect(state.entries.filter((e: any) => e.type === "debit")).toEqual([]);
}

describe("createCustomModel", () => {
  it("trains from 10 uploaded photos: 201 queued, charged once, the contract's document, photos copied, uploads used, task recorded", async () => {
    const u = await createTestUser({ credits: 12 });
    const pngs = await photos(10);
    const ids = await uploadMany(u.token, pngs);
    const res = await create(u.token, { imageUploadIds: ids, triggerWord: "ZxQv", webhookUrl: "http://127.0.0.1:9/hook" });
    expect(res).toMatchObject({ status: 201, body: { customModelId: expect.stringMatching(/^cm_/), status: "queued", deductedCredits: 5, currentCredits: 7, replayed: false } });
    const id = res.body.customModelId;
    const d = await modelDoc(id);
    expect(d).toMatchObject({
      userId: u.uid, name: BODY.name, baseModel: "A", subject: "person", triggerWord: "zxqv", status: "queued", progress: 0, step: 0, steps: 200, imageCount: 10,
      cost: 5, refunded: false, error: null, lease: null, attempts: 0, lora: null, startedAt: null, readyAt: null,
      train: { workflow: "train-lora", steps: 200, seed: expect.any(Number), caption: "zxqv person" },
      dispatch: { state: "enqueued", mode: "record", taskId: id, attempts: 1 },
    });
    expect(d.train.photos).toHaveLength(10);
    d.train.photos.forEach((p: { path: string; sha256: string }) => {
      expect(p.path).toBe(`training/${u.uid}/${id}/${p.sha256}.png`);
      expect(onDisk(p.path)).toBe(true);
    });
    const uploads = await Promise.all(ids.map((x) => db().doc(`uploads/${x}`).get()));
    expect(uploads.map((s) => [s.get("status"), s.get("usedBy")])).toEqual(ids.map(() => ["used", id]));
    const state = await ledgerState(u.uid);
    expect(state.entries.filter((e: any) => e.type === "debit")).toEqual([expect.objectContaining({ id: `debit-${id}`, amount: -5, balanceAfter: 7, requestId: id })]);
    expect(state).toMatchObject({ credits: 7, ledgerSum: 7 });
    // An upload feeds one model only.
    const again = await create(u.token, { imageUploadIds: ids });
    expect(again).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/already used/) } } });
  });

  it("generates a trigger word when none is given, and lists, gets and filters models", async () => {
    const u = await createTestUser({ credits: 20 });
    const a = await createdModel(u.token);
    const b = await createdModel(u.token, {}, 20);
    await db().doc(`customModels/${a}`).update({ status: "failed", error: { code: "X", message: "y" } });
    const got = await callFunction("getCustomModel", { token: u.token, query: { id: b } });
    expect(got).toMatchObject({ status: 200, body: { id: b, status: "queued", triggerWord: expect.stringMatching(/^ohwx[a-z]{4}$/), charge: "reserved", imageCount: 10, cost: 5 } });
    const page1 = await callFunction("listCustomModels", { token: u.token, query: { limit: 1 } });
    expect(page1.body.models.map((m: any) => m.id)).toEqual([b]);
    const page2 = await callFunction("listCustomModels", { token: u.token, query: { limit: 1, cursor: page1.body.nextCursor } });
    expect(page2.body).toMatchObject({ models: [{ id: a }], nextCursor: null });
    const failed = await callFunction("listCustomModels", { token: u.token, query: { status: "failed" } });
    expect(failed.body.models.map((m: any) => m.id)).toEqual([a]);
  });

  it("charges once for parallel creates with one idempotencyKey; the others replay", async () => {
    const u = await createTestUser({ credits: 10 });
    const images = (await photos(10, 40)).map(dataUrl);
    const answers = await Promise.all(Array.from({ length: 4 }, () => create(u.token, { images, idempotencyKey: "parallel-train-1" })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.customModelId)).size).toBe(1);
    const state = await ledgerState(u.uid);
    expect(state.entries.filter((e: any) => e.type === "debit")).toHaveLength(1);
    expect(state).toMatchObject({ credits: 5, ledgerSum: 5 });
    // The key with other parameters is refused, and the first model's photos stay.
    const other = await create(u.token, { images, idempotencyKey: "parallel-train-1", name: "else" });
    expect(other).toMatchObject({ status: 409, body: { error: { code: "FAILED_PRECONDITION" } } });
    const d = await modelDoc(answers[0].body.customModelId);
    expect(d.train.photos.every((p: { path: string }) => onDisk(p.path))).toBe(true);
  });

  it("refuses the issue's bad inputs with a clear 4xx, naming the bad images, and charges nothing", async () => {
    const [u, other] = await Promise.all([createTestUser({ credits: 10 }), createTestUser({ credits: 0 })]);
    const nine = await uploadMany(u.token, await photos(9, 60));
    const good = (await photos(9, 70)).map(dataUrl);
    const broken = (await photo(80)).subarray(0, 60);
    const brokenId = await uploaded(server.origin, u.token, broken);
    const textId = await uploaded(server.origin, u.token, Buffer.from("plain text, not an image"));
    const theirs = await uploaded(server.origin, other.token, await photo(81));
    const staleUrl = await createUpload(u.token, 100);
    const expired = await uploaded(server.origin, u.token, await photo(82));
    await db().doc(`uploads/${expired}`).update({ createdAt: Timestamp.fromMillis(Date.now() - 2 * 86_400_000) });
    const cases: Array<[string, Record<string, unknown>, number, RegExp]> = [
      ["9 images", { imageUploadIds: nine }, 400, /at least 10 needed; got 9|got 9/],
      ["a broken image", { imageUploadIds: [...nine, brokenId] }, 400, /imageUploadIds\.9: .*(corrupt|decoded)/],
      ["a non-image upload", { imageUploadIds: [...nine, textId] }, 400, /imageUploadIds\.9: .*could not be decoded/],
      ["a URL never used (expired unused)", { imageUploadIds: [...nine, staleUrl.uploadId] }, 400, /imageUploadIds\.9: .*nothing was uploaded/],
      ["an upload older than a day", { imageUploadIds: [...nine, expired] }, 400, /imageUploadIds\.9: .*expired/],
      ["someone else's upload", { imageUploadIds: [...nine, theirs] }, 400, /imageUploadIds\.9: .*upload not found/],
      ["a duplicate upload", { imageUploadIds: [...nine, nine[0]] }, 400, /same upload as imageUploadIds\.0/],
      ["a broken inline image", { images: [...good, "data:image/png;base64,iVBORw0KGgo="] }, 400, /images\.9: /],
      ["an untrainable model", { baseModel: "B", images: good }, 400, /baseModel: 'B' cannot be trained; trainable models: A/],
      ["too many steps", { steps: 5000, images: good }, 400, /steps: must be at most 1000/],
      ["no images", {}, 400, /imageUploadIds/],
    ];
    for (const [what, body, status, message] of cases) {
      const res = await create(u.token, body);
      expect({ what, status: res.status, code: res.body.error?.code }).toEqual({ what, status, code: "INVALID_ARGUMENT" });
      expect(res.body.error.message).toMatch(message);
    }
    await expectNothingCharged(u.uid, 10);
  });

  it("holds at most MAX_CUSTOM_MODELS_PER_USER (3) live models, checked in the transaction; failed ones free their slot", async () => {
    const u = await createTestUser({ credits: 100 });
    const images = (await photos(10, 90)).map(dataUrl);
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => create(u.token, { images, idempotencyKey: `slots-${i}-xyz` })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 201, 409, 409]);
    const refused = answers.find((a) => a.status === 409)!;
    expect(refused.body.error).toMatchObject({ code: "FAILED_PRECONDITION", message: expect.stringMatching(/at most 3 .*MAX_CUSTOM_MODELS_PER_USER/), details: { limit: 3 } });
    const state = await ledgerState(u.uid);
    expect(state).toMatchObject({ credits: 85, ledgerSum: 85 });
    const first = answers.find((a) => a.status === 201)!.body.customModelId;
    await db().doc(`customModels/${first}`).update({ status: "failed" });
    expect((await create(u.token, { images, idempotencyKey: "slots-after-fail" })).status).toBe(201);
  });

  it("follows the plan's model slots once the user is on a plan: free holds one", async () => {
    const u = await createTestUser({ credits: 20 });
    const admin = await signIn("admin@example.com");
    expect((await callFunction("setUserPlan", { token: admin, body: { userId: u.uid, planId: "free", reason: "slots test" } })).status).toBe(200);
    const images = (await photos(10, 150)).map(dataUrl);
    expect((await create(u.token, { images, idempotencyKey: "plan-slot-1" })).status).toBe(201);
    const second = await create(u.token, { images, idempotencyKey: "plan-slot-2" });
    expect(second).toMatchObject({ status: 409, body: { error: { code: "FAILED_PRECONDITION", details: { limit: 1 } } } });
    const state = await ledgerState(u.uid);
    expect(state.credits).toBe(state.ledgerSum);
    // 20 seeded + 3 from the free plan's allowance, one training run of 5 charged.
    expect(state.credits).toBe(20 + 3 - 5);
  });

  it("refuses an empty balance with 402 before anything is stored", async () => {
    const u = await createTestUser({ credits: 4 });
    const res = await create(u.token, { images: (await photos(10, 110)).map(dataUrl) });
    expect(res).toMatchObject({ status: 402, body: { error: { code: "INSUFFICIENT_CREDITS" } } });
    await expectNothingCharged(u.uid, 4);
  });
});
