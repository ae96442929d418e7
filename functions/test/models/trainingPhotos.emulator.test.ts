// Issue 23 item 10: training photos do not outlive training. With the default
// TRAINING_PHOTO_RETENTION_HOURS=0 the model trigger deletes them when the model becomes ready,
// failed or cancelled; with a window, the scheduled purge deletes them once it has passed.
import { createHash } from "node:crypto";
import { callFunction, createTestUser, db } from "../../../test-support/emulator";
import { until } from "../../../test-support/wait";
import { loadLifecycleConfig } from "../../src/lifecycle/config";
import { photosOnUpdate, purgeTrainingPhotos } from "../../src/models/trainingPhotos";
import { firestore } from "../../src/shared/firestore";
import { storage } from "../../src/storage/storage";
import { createdModel, modelDoc, modelRef, onDisk, photo, runnerClaim, runnerFail, runnerSucceed } from "./helpers";

const photoPathsOf = async (id: string) => ((await modelDoc(id)).train.photos as Array<{ path: string }>).map((p) => p.path);

/** Waits for the trigger to record the deletion, then checks the files. */
async function expectPhotosGone(id: string, paths: string[]) {
  await until(`photos of ${id} deleted`, async () => ((await modelDoc(id)).photosDeletedAt ? true : undefined));
  expect(paths.filter(onDisk)).toEqual([]);
  expect((await modelDoc(id)).photosDueAt).toBeUndefined();
}

describe("training photos when training ends", () => {
  it("are deleted when the model becomes ready, failed or cancelled; the model and its LoRA stay", async () => {
    const u = await createTestUser({ credits: 15, prefix: "photos" });
    const [ready, failed, cancelled] = [await createdModel(u.token, {}, 200), await createdModel(u.token, {}, 220), await createdModel(u.token, {}, 240)];
    const paths = { ready: await photoPathsOf(ready), failed: await photoPathsOf(failed), cancelled: await photoPathsOf(cancelled) };
    expect(Object.values(paths).flat().every(onDisk)).toBe(true);
    await runnerClaim(ready);
    const lora = await runnerSucceed(ready);
    await runnerClaim(failed);
    await runnerFail(failed);
    expect((await callFunction("cancelCustomModel", { token: u.token, body: { id: cancelled } })).status).toBe(200);
    await expectPhotosGone(ready, paths.ready);
    await expectPhotosGone(failed, paths.failed);
    await expectPhotosGone(cancelled, paths.cancelled);
    expect(onDisk(lora.path)).toBe(true);
    expect((await modelDoc(ready)).status).toBe("ready");
  });

  it("a model still training keeps its photos", async () => {
    const u = await createTestUser({ credits: 5, prefix: "photos" });
    const id = await createdModel(u.token, {}, 260);
    await runnerClaim(id);
    await modelRef(id).update({ progress: 0.5 });
    expect((await photoPathsOf(id)).every(onDisk)).toBe(true);
    expect((await modelDoc(id)).photosDueAt).toBeUndefined();
  });
});

describe("TRAINING_PHOTO_RETENTION_HOURS", () => {
  it("is validated with the lifecycle config, 0 by default", () => {
    expect(loadLifecycleConfig({}).TRAINING_PHOTO_RETENTION_HOURS).toBe(0);
    expect(loadLifecycleConfig({ TRAINING_PHOTO_RETENTION_HOURS: "48" }).TRAINING_PHOTO_RETENTION_HOURS).toBe(48);
    expect(() => loadLifecycleConfig({ TRAINING_PHOTO_RETENTION_HOURS: "-1" })).toThrow(/TRAINING_PHOTO_RETENTION_HOURS/);
  });

  it("with a window, the scheduled purge deletes the photos once it has passed, not before", async () => {
    const u = await createTestUser({ credits: 0, prefix: "photos" });
    const id = `cm_window_${u.uid}`;
    const bytes = await photo(280);
    const path = `training/${u.uid}/${id}/01.png`;
    await storage().save(path, bytes, "image/png");
    // Written already ended (a create fires no update trigger), as a model that became ready.
    await modelRef(id).create({ userId: u.uid, status: "ready", train: { photos: [{ path, sha256: createHash("sha256").update(bytes).digest("hex") }] } });
    const now = new Date();
    await photosOnUpdate(firestore(), storage(), await modelRef(id).get(), 24, now);
    expect((await modelDoc(id)).photosDueAt.toMillis()).toBe(now.getTime() + 24 * 3_600_000);
    const early = await purgeTrainingPhotos({ db: firestore(), files: storage(), now: new Date(now.getTime() + 23 * 3_600_000), batchLimit: 50, maxBatches: 5 });
    expect(early).not.toContain(id);
    expect(onDisk(path)).toBe(true);
    const late = await purgeTrainingPhotos({ db: firestore(), files: storage(), now: new Date(now.getTime() + 25 * 3_600_000), batchLimit: 50, maxBatches: 5 });
    expect(late).toContain(id);
    expect(onDisk(path)).toBe(false);
    expect((await db().doc(`customModels/${id}`).get()).get("photosDeletedAt")).toBeDefined();
  });
});
