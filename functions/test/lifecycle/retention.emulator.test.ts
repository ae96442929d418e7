// The retention purge on the emulators, with the clock moved past retention for this test's
// documents and objects (their finishedAt and file times set back; the rest of the shared
// database stays recent, so concurrent tests are untouched): exactly the old files are deleted
// and exactly those documents marked; a second run does nothing.
import fs from "node:fs";
import path from "node:path";
import { callFunction, createTestUser, db } from "../../../test-support/emulator";
import { pngDataUrl } from "../../../test-support/images";
import { refundIfOwed } from "../../src/ledger/refund";
import { purgeExpired } from "../../src/lifecycle/retention";
import { firestore } from "../../src/shared/firestore";
import { storage } from "../../src/storage/storage";
import { CAT, STAGING, createRequest, exists, filesUnder, finishWithOutputs, storageDir } from "./fixtures";

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

async function purgeUntilDone(stateDoc: string) {
  const all = { outputsExpired: [] as string[], inputsReleased: [] as string[], orphansDeleted: [] as string[] };
  for (let run = 0; run < 50; run++) {
    const s = await purgeExpired({ db: firestore(), files: storage(), now: new Date(), outputDays: 30, inputDays: 7, batchLimit: 50, maxBatches: 4, stateDoc });
    all.outputsExpired.push(...s.outputsExpired);
    all.inputsReleased.push(...s.inputsReleased);
    all.orphansDeleted.push(...s.orphansDeleted);
    if (s.done) return all;
  }
  throw new Error("retention purge never reached its end");
}

async function orphanInput(uid: string, sha: string, ageDays: number): Promise<string> {
  const p = `inputs/${uid}/${sha}.png`;
  await storage().save(p, Buffer.from(sha), "image/png");
  const t = ago(ageDays);
  fs.utimesSync(path.join(storageDir, p), t, t);
  return p;
}

async function updateTimes(ids: string[]) {
  return Promise.all(ids.map(async (id) => (await db().doc(`generationRequests/${id}`).get()).updateTime!.toMillis()));
}

describe("retention purge", () => {
  it("deletes exactly the files past retention, marks exactly those requests, and a second run does nothing", async () => {
    const u = await createTestUser({ credits: 50, prefix: "keep" });
    const photoX = await pngDataUrl({ r: 10, g: 20, b: 30 });
    const photoY = await pngDataUrl({ r: 200, g: 20, b: 30 });
    const old = await createRequest(u.token, { ...STAGING, inputImage: photoX });
    const mid = await createRequest(u.token, { ...STAGING, inputImage: photoY });
    const recent = await createRequest(u.token, { ...STAGING, prompt: "same photo, new room", inputImage: photoX });
    const oldFailed = await createRequest(u.token, CAT);
    const tombstone = await createRequest(u.token, CAT);
    const oldFiles = await finishWithOutputs(old, u.uid, 2, ago(40));
    const midFiles = await finishWithOutputs(mid, u.uid, 1, ago(10));
    const recentFiles = await finishWithOutputs(recent, u.uid, 1, ago(1));
    // Failed, then refunded through the one refund path (a hand-set `refunded: true` would be a flag with no refund behind it).
    await db().doc(`generationRequests/${oldFailed}`).update({ status: "failed", finishedAt: ago(40) });
    await refundIfOwed(firestore(), oldFailed, "test:retention");
    await finishWithOutputs(tombstone, u.uid, 1, ago(40));
    expect((await callFunction("deleteGenerationRequest", { token: u.token, body: { id: tombstone } })).status).toBe(200);
    const inputX = (await db().doc(`generationRequests/${old}`).get()).get("inputImage.path") as string;
    const inputY = (await db().doc(`generationRequests/${mid}`).get()).get("inputImage.path") as string;
    const staleOrphan = await orphanInput(u.uid, "e".repeat(64), 8);
    const freshOrphan = await orphanInput(u.uid, "f".repeat(64), 1);
    const untouched = [recent, oldFailed, tombstone];
    const untouchedTimes = await updateTimes(untouched);

    const purgeFrom = Date.now();
    const first = await purgeUntilDone(`lifecycle/retention-test-${u.uid}`);
    const purgeTo = Date.now();
    const duringPurge = (t: { toMillis(): number }) => t.toMillis() >= purgeFrom - 1000 && t.toMillis() <= purgeTo + 1000;
    const mine = (ids: string[]) => ids.filter((id) => [old, mid, recent, oldFailed, tombstone].includes(id)).sort();
    expect(mine(first.outputsExpired)).toEqual([old]);
    expect(mine(first.inputsReleased)).toEqual([old, mid].sort());
    expect(first.orphansDeleted.filter((p) => p.startsWith(`inputs/${u.uid}/`))).toEqual([staleOrphan]);

    expect(oldFiles.some(exists)).toBe(false);
    expect([...midFiles, ...recentFiles].every(exists)).toBe(true);
    expect(exists(inputY)).toBe(false);
    // Photo X is shared with the recent request, which still holds it.
    expect(exists(inputX)).toBe(true);
    expect(exists(staleOrphan)).toBe(false);
    expect(exists(freshOrphan)).toBe(true);

    const oldDoc = (await db().doc(`generationRequests/${old}`).get()).data()!;
    expect(oldDoc).toMatchObject({ outputs: [], expiredOutputs: 2, inputImage: null, status: "succeeded" });
    expect(duringPurge(oldDoc.outputsExpiredAt)).toBe(true);
    const midDoc = (await db().doc(`generationRequests/${mid}`).get()).data()!;
    expect(midDoc.outputsExpiredAt).toBeUndefined();
    expect(duringPurge(midDoc.inputExpiredAt)).toBe(true);
    expect(midDoc.outputs).toHaveLength(1);
    expect(await updateTimes(untouched)).toEqual(untouchedTimes);

    const view = await callFunction("getGenerationRequest", { token: u.token, query: { id: old } });
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ status: "succeeded", outputsState: "expired", outputs: [], charge: "charged" });
    expect(view.body.outputsExpiredAt).toEqual(expect.any(String));

    const filesBefore = filesUnder(`generations/${u.uid}`).concat(filesUnder(`inputs/${u.uid}`));
    const times = await updateTimes([old, mid, recent, oldFailed, tombstone]);
    const second = await purgeUntilDone(`lifecycle/retention-test-${u.uid}`);
    expect(mine([...second.outputsExpired, ...second.inputsReleased])).toEqual([]);
    expect(second.orphansDeleted.filter((p) => p.startsWith(`inputs/${u.uid}/`))).toEqual([]);
    expect(filesUnder(`generations/${u.uid}`).concat(filesUnder(`inputs/${u.uid}`))).toEqual(filesBefore);
    expect(await updateTimes([old, mid, recent, oldFailed, tombstone])).toEqual(times);
  });
});
