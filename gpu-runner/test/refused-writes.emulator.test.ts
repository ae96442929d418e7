// Issue 23 item 11, runner side, against the Firestore emulator, the fake ComfyUI and the real
// local storage: files an attempt stored after the sweeper ended its job are taken back when the
// final write is refused, and a deleted model's cached LoRA is never served by any runner (the
// evictedLoras list) and does not outlive the cache's age bound.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Timestamp } from "firebase-admin/firestore";
import { db } from "../../test-support/emulator";
import { startFakeComfy, type FakeComfy } from "../../fake-comfyui/src/server";
import { fakeLoraFile } from "../../fake-comfyui/src/safetensors";
import { startRunner, type Runner } from "../src/app";
import { loadConfig } from "../src/config";
import { LoraCache } from "../src/jobs/lora-cache";
import { EVICTED_LORAS, firestoreEvictions } from "../src/jobs/lora-evictions.repo";
import { LocalStorage } from "../src/storage";
import { data, pushTask, queuedRequest, ref, runnerEnv } from "./harness";
import { captureLogger } from "./helpers";
import { filesUnder, modelData, modelRef, pushTrain, queuedModel, sha256 } from "./training-harness";

jest.setTimeout(60_000);

const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "refused-storage-"));
const storage = new LocalStorage(storageDir);
let fake: FakeComfy;
beforeAll(async () => {
  fake = await startFakeComfy({ port: 0, imageMs: 20 });
});
afterAll(() => fake.close());
afterEach(() => fake.faults.set({ mode: "none", imageMs: 20, stepMs: 10 }));

/** What the sweeper writes when it ends a job whose lease expired (functions/src/dispatch/sweep.ts). */
const sweeperFails = (docRef: FirebaseFirestore.DocumentReference) =>
  db().runTransaction(async (tx) => {
    tx.update(docRef, { status: "failed", error: { code: "LEASE_EXPIRED", message: "the runner stopped reporting" }, lease: null, updatedAt: Timestamp.now() });
  });
const anotherRunnerTakesOver = (docRef: FirebaseFirestore.DocumentReference) =>
  db().runTransaction(async (tx) => {
    tx.update(docRef, { lease: { owner: "other-runner/1", expiresAt: Timestamp.fromMillis(Date.now() + 60_000) }, updatedAt: Timestamp.now() });
  });

/** Local storage that lets `interfere` act on the job right after the attempt's last file is stored. */
function interferingStorage(last: (p: string) => boolean, interfere: (p: string) => Promise<void>) {
  return new (class extends LocalStorage {
    async put(p: string, bytes: Buffer, contentType?: string): Promise<void> {
      await super.put(p, bytes, contentType);
      if (last(p)) await interfere(p);
    }
  })(storageDir);
}

async function withRunner<T>(s: LocalStorage, run: (r: Runner) => Promise<T>): Promise<T> {
  // No live previews here: whether one is stored before the refusal depends on timing, and these
  // tests count exactly the files an attempt stored (previews have their own tests in stages.emulator.test.ts).
  const r = await startRunner({ config: loadConfig(runnerEnv(fake, storageDir, { LEASE_SECONDS: "30", PREVIEW_INTERVAL_MS: "0" })), db: db(), log: captureLogger().log, storage: s });
  try {
    return await run(r);
  } finally {
    await r.shutdown();
  }
}

const generated = (uid: string, id: string) => filesUnder(path.join(storageDir, "generations", uid, id));

describe("a refused final write takes back what the attempt stored", () => {
  it("generation: outputs stored after the sweeper failed the request are deleted", async () => {
    const { id, uid } = await queuedRequest({ batchSize: 2 });
    const s = interferingStorage((p) => p === `generations/${uid}/${id}/1.thumb.webp`, () => sweeperFails(ref(id)));
    const res = await withRunner(s, (r) => pushTask(r.url, id, { retryCount: 0 }));
    expect(res.body).toEqual({ result: "lease-lost", discarded: 4 });
    expect(await data(id)).toMatchObject({ status: "failed", outputs: [] });
    expect(generated(uid, id)).toEqual([]);
  });

  it("generation: a request another runner holds now keeps the files (it writes the same paths)", async () => {
    const { id, uid } = await queuedRequest({ batchSize: 1 });
    const s = interferingStorage((p) => p === `generations/${uid}/${id}/0.thumb.webp`, () => anotherRunnerTakesOver(ref(id)));
    const res = await withRunner(s, (r) => pushTask(r.url, id, { retryCount: 0 }));
    expect(res.body).toEqual({ result: "lease-lost", discarded: 0 });
    expect(generated(uid, id).sort()).toEqual(["0.thumb.webp", "0.webp"]);
  });

  it("training: the LoRA of a model the sweeper failed is deleted", async () => {
    const { id, uid } = await queuedModel(storage, { count: 2, steps: 4 });
    const s = interferingStorage((p) => p.startsWith(`loras/${uid}/${id}/`), () => sweeperFails(modelRef(id)));
    const res = await withRunner(s, (r) => pushTrain(r.url, id, 0));
    expect(res.body).toEqual({ result: "lease-lost", discarded: 1 });
    expect(await modelData(id)).toMatchObject({ status: "failed", lora: null });
    expect(filesUnder(path.join(storageDir, "loras", uid, id))).toEqual([]);
  });
});

describe("a deleted model's cached LoRA, on every runner", () => {
  const storeLora = async (tag: string) => {
    const bytes = fakeLoraFile(tag, 4, 10);
    const lora = { path: `loras/lora_user/cm_${tag}/${sha256(bytes)}.safetensors`, sha256: sha256(bytes) };
    await storage.put(lora.path, bytes, "application/octet-stream");
    return lora;
  };
  const cacheFile = (hash: string) => path.join(fake.files.modelLoras, "imagegen", `${hash}.safetensors`);

  it("is not served once on the eviction list, though the evict task never reached this runner", async () => {
    const lora = await storeLora("evicted-list");
    await withRunner(storage, async (r) => {
      const first = await queuedRequest({ batchSize: 1, width: 64, height: 48, lora: { ...lora, strength: 1 } });
      expect((await pushTask(r.url, first.id, { retryCount: 0 })).body).toEqual({ result: "succeeded", outputs: 1 });
      expect(fs.existsSync(cacheFile(lora.sha256))).toBe(true);
      // The model is deleted (functions/src/models/delete.ts): its file leaves storage, its sha256 joins the list.
      await storage.delete(lora.path);
      await db().doc(`${EVICTED_LORAS}/${lora.sha256}`).set({ sha256: lora.sha256, customModelId: "cm_evicted-list", evictedAt: Timestamp.now() });
      const later = await queuedRequest({ batchSize: 1, width: 64, height: 48, lora: { ...lora, strength: 1 } });
      expect((await pushTask(r.url, later.id, { retryCount: 0 })).body).toEqual({ result: "failed", code: "LORA_UNAVAILABLE" });
      expect(fs.existsSync(cacheFile(lora.sha256))).toBe(false);
    });
  });

  it("goes at the next trim when evicted or unused past the age bound; a live, recent one stays", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lora-cache-"));
    const cache = new LoraCache(dir, { maxBytes: 1024 ** 3, maxAgeMs: 3_600_000, evictions: firestoreEvictions(db()) });
    const [evicted, stale, live] = [await storeLora("trim-evicted"), await storeLora("trim-stale"), await storeLora("trim-live")];
    for (const l of [evicted, stale, live]) await cache.ensure(storage, l);
    const file = (h: string) => path.join(dir, "imagegen", `${h}.safetensors`);
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    fs.utimesSync(file(stale.sha256), twoHoursAgo, twoHoursAgo);
    await db().doc(`${EVICTED_LORAS}/${evicted.sha256}`).set({ sha256: evicted.sha256, customModelId: "cm_trim-evicted", evictedAt: Timestamp.now() });
    expect((await cache.trim()).sort()).toEqual([`${evicted.sha256}.safetensors`, `${stale.sha256}.safetensors`].sort());
    expect([evicted, stale, live].map((l) => fs.existsSync(file(l.sha256)))).toEqual([false, false, true]);
  });
});

it("LORA_CACHE_MAX_AGE_HOURS is validated, a week by default", () => {
  expect(loadConfig({}).LORA_CACHE_MAX_AGE_HOURS).toBe(168);
  expect(() => loadConfig({ LORA_CACHE_MAX_AGE_HOURS: "0" })).toThrow(/LORA_CACHE_MAX_AGE_HOURS/);
});
