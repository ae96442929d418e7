// Issue 23 item 12, against the emulators, in process (the Functions emulator runs one call per
// worker, so a per-instance bound never shows over its HTTP): every image decode shares one
// per-instance bound (503 + Retry-After when full), createCustomModel holds an API key's
// in-flight slot and counts in the per-minute window, and concurrent same-key creates never
// delete the photos the winning model points at.
import fs from "node:fs";
import path from "node:path";
import type { Firestore, Transaction } from "firebase-admin/firestore";
import { auth, callFunction, createTestUser, db, ledgerState } from "../../../test-support/emulator";
import { pngDataUrl } from "../../../test-support/images";
import { AccountStateCache } from "../../src/auth/accountState";
import { createKey, verifyApiKey } from "../../src/auth/apiKeyStore";
import type { Caller } from "../../src/auth/caller";
import { loadCatalog } from "../../src/catalog/catalog";
import { RecordingDispatcher } from "../../src/dispatch/dispatcher";
import { ApiError } from "../../src/http/errors";
import { removeTrainingOrphans } from "../../src/lifecycle/trainingOrphans";
import { createCustomModel } from "../../src/models/create";
import { createGenerationRequest } from "../../src/requests/create";
import { decodes } from "../../src/shared/decodes";
import { firestore } from "../../src/shared/firestore";
import { storage } from "../../src/storage/storage";
import { STORAGE_DIR, dataUrl, onDisk, photos } from "./helpers";

const BODY = { name: "bounded", baseModel: "A", subject: "person" };
const ADMIN = { uid: "admin_test", role: "admin", via: "cli" } as const;
const userCaller = (uid: string): Caller => ({ uid, role: "user", via: "id-token" });
const dispatcher = new RecordingDispatcher();

beforeAll(() => loadCatalog());

/** Holds every decode slot and every waiting place of this instance until `release()`. */
function fillDecodes(running = 2, waiting = 16) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const held = Array.from({ length: running + waiting }, () => decodes.run(() => gate));
  return { release: async () => (release(), await Promise.all(held)) };
}

async function expectNothingCharged(uid: string, credits: number) {
  const state = await ledgerState(uid);
  expect({ credits: state.credits, sum: state.ledgerSum, debits: state.entries.filter((e: any) => e.type === "debit").length }).toEqual({ credits, sum: credits, debits: 0 });
}

describe("one per-instance bound on image decodes", () => {
  it("when it is full, training photos and generation inputs alike get 503 UNAVAILABLE DECODES_BUSY with Retry-After; nothing is charged", async () => {
    const u = await createTestUser({ credits: 20, prefix: "bound" });
    const images = (await photos(10, 300)).map(dataUrl);
    const full = fillDecodes();
    try {
      const training = await createCustomModel(firestore(), userCaller(u.uid), { ...BODY, images }, { dispatcher }).catch((e) => e);
      const staging = await createGenerationRequest(firestore(), userCaller(u.uid), { model: "staging", style: "scandinavian", color: "muted", size: "512x512", prompt: "furnish", inputImage: await pngDataUrl({ r: 1, g: 2, b: 3 }) }, { dispatcher }).catch((e) => e);
      for (const err of [training, staging]) {
        expect(err).toBeInstanceOf(ApiError);
        expect({ status: err.status, code: err.code, details: err.details }).toEqual({ status: 503, code: "UNAVAILABLE", details: { retryAfterSeconds: 2, reason: "DECODES_BUSY" } });
      }
    } finally {
      await full.release();
    }
    await expectNothingCharged(u.uid, 20);
    // With the bound free again, the same create goes through.
    await expect(createCustomModel(firestore(), userCaller(u.uid), { ...BODY, images }, { dispatcher })).resolves.toMatchObject({ status: "queued", replayed: false });
  });
});

describe("createCustomModel's limits", () => {
  it("an API key's second call while its first is in progress gets 429 RATE_LIMITED (maxConcurrentCreates 1)", async () => {
    const u = await createTestUser({ credits: 20, prefix: "bound" });
    const created = await createKey(firestore(), "test", { userId: u.uid, name: "one at a time", scopes: ["generate", "read"], expiresAt: null, dailyQuota: null, ratePerMinute: null, maxConcurrentCreates: 1 }, ADMIN);
    const { key } = await verifyApiKey(firestore(), created.key, new Date(), new AccountStateCache(auth(), 30_000));
    const caller: Caller = { uid: u.uid, role: "user", via: "api-key", key };
    const [a, b] = await Promise.all([(await photos(10, 320)).map(dataUrl), (await photos(10, 340)).map(dataUrl)]);
    const first = createCustomModel(firestore(), caller, { ...BODY, images: a }, { dispatcher });
    const second = await createCustomModel(firestore(), caller, { ...BODY, name: "second", images: b }, { dispatcher }).catch((e) => e);
    expect({ code: second.code, status: second.status }).toEqual({ code: "RATE_LIMITED", status: 429 });
    await expect(first).resolves.toMatchObject({ status: "queued", deductedCredits: 5 });
  });

  it("counts in the per-minute window before decoding: the call past the limit is 429 even with photos that would be refused", async () => {
    const u = await createTestUser({ credits: 20, prefix: "bound" });
    await db().doc(`users/${u.uid}`).update({ ratePerMinute: 2 });
    const broken = Array.from({ length: 10 }, (_, i) => `data:image/png;base64,${Buffer.from(`not an image ${i}`).toString("base64")}`);
    const send = () => callFunction("createCustomModel", { token: u.token, body: { ...BODY, images: broken } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await send()).status);
    expect(statuses).toEqual([400, 400, 429]);
    const limited = await send();
    expect(limited.body.error).toMatchObject({ code: "RATE_LIMITED", details: { retryAfterSeconds: expect.any(Number) } });
    await expectNothingCharged(u.uid, 20);
  });
});

/**
 * The real Firestore, whose create transaction (the one that reads customModels/{id}) runs
 * `before` first. `before` must not run inside that transaction: an open transaction holds its
 * reads (users/{uid} among them) and would stall the other call's own transactions on that
 * document, so the transaction is abandoned at the model read, `before` runs outside it, and the
 * transaction then runs again untouched. Everything else passes through.
 */
class ModelCommitReached extends Error {}
function atModelCommit(real: Firestore, before: () => Promise<void>): Firestore {
  let paused = false;
  const hooked = (fn: (tx: Transaction) => Promise<unknown>) => (tx: Transaction) => fn(new Proxy(tx, {
    get(t, p) {
      if (p !== "get") return Reflect.get(t, p);
      return async (ref: { path?: unknown }, ...rest: unknown[]) => {
        if (!paused && typeof ref.path === "string" && ref.path.startsWith("customModels/")) throw new ModelCommitReached();
        return (t.get as (...a: unknown[]) => unknown).call(t, ref, ...rest);
      };
    },
  }));
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "runTransaction") {
        return async (fn: (tx: Transaction) => Promise<unknown>, opts?: object) => {
          try {
            return await target.runTransaction(hooked(fn), opts);
          } catch (err) {
            if (!(err instanceof ModelCommitReached)) throw err;
            paused = true;
            await before();
            return target.runTransaction(fn, opts);
          }
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

describe("concurrent createCustomModel calls with one idempotency key", () => {
  it("the call that fails before the winner commits deletes nothing the winner's model points at", async () => {
    const u = await createTestUser({ credits: 20, prefix: "samekey" });
    const body = { ...BODY, images: (await photos(10, 360)).map(dataUrl), idempotencyKey: "same-key-photos-race" };
    let reached!: () => void;
    const winnerStored = new Promise<void>((r) => (reached = r));
    let loserDone!: () => void;
    const loserSettled = new Promise<void>((r) => (loserDone = r));
    // The loser's commit fails (contention) once the winner has stored its photos; the winner
    // commits only after the loser has finished, cleanup included.
    const loserDb = atModelCommit(firestore(), async () => {
      await winnerStored;
      throw new ApiError("UNAVAILABLE", "simulated: the account is too busy", { retryAfterSeconds: 1 });
    });
    const winnerDb = atModelCommit(firestore(), async () => {
      reached();
      await loserSettled;
    });
    const loser = createCustomModel(loserDb, userCaller(u.uid), body, { dispatcher }).catch((e) => e).finally(loserDone);
    const winner = createCustomModel(winnerDb, userCaller(u.uid), body, { dispatcher });
    const [lost, won] = await Promise.all([loser, winner]);
    expect(lost).toMatchObject({ code: "UNAVAILABLE" });
    expect(won).toMatchObject({ status: "queued", replayed: false, deductedCredits: 5 });
    const model = (await db().doc(`customModels/${won.customModelId}`).get()).data()!;
    expect(model.train.photos).toHaveLength(10);
    for (const p of model.train.photos as Array<{ path: string; sha256: string }>) {
      expect(p.path).toBe(`training/${u.uid}/${won.customModelId}/${p.sha256}.png`);
      expect(onDisk(p.path)).toBe(true);
    }
    const state = await ledgerState(u.uid);
    expect(state).toMatchObject({ credits: 15, ledgerSum: 15 });
  });

  it("the training-orphan pass removes old photos no model points at, and keeps every photo a model points at", async () => {
    const u = await createTestUser({ credits: 20, prefix: "orphan" });
    const won = await createCustomModel(firestore(), userCaller(u.uid), { ...BODY, images: (await photos(10, 380)).map(dataUrl) }, { dispatcher });
    const model = (await db().doc(`customModels/${won.customModelId}`).get()).data()!;
    const kept = (model.train.photos as Array<{ path: string }>).map((p) => p.path);
    // A refused create's leftovers: in a model folder that never committed, and a stray name beside the winner's.
    const orphans = [`training/${u.uid}/cm_${"0".repeat(32)}/${"a".repeat(64)}.png`, `training/${u.uid}/${won.customModelId}/${"b".repeat(64)}.png`];
    const young = `training/${u.uid}/cm_${"1".repeat(32)}/${"c".repeat(64)}.png`;
    for (const p of [...orphans, young]) await storage().save(p, Buffer.from("leftover"), "image/png");
    const old = new Date(Date.now() - 2 * 3_600_000);
    for (const p of [...orphans, ...kept]) fs.utimesSync(path.join(STORAGE_DIR, ...p.split("/")), old, old);

    const stateDoc = `lifecycle/trainingOrphans-test-${Date.now()}`;
    const deleted: string[] = [];
    for (let run = 0; run < 20; run++) {
      const r = await removeTrainingOrphans({ db: firestore(), files: storage(), now: new Date(), batchLimit: 50, maxBatches: 4, stateDoc });
      deleted.push(...r.deleted);
      if (r.done) break;
    }
    expect(deleted.filter((p) => p.startsWith(`training/${u.uid}/`)).sort()).toEqual([...orphans].sort());
    for (const p of kept) expect(onDisk(p)).toBe(true);
    expect(onDisk(young)).toBe(true);
  });
});
