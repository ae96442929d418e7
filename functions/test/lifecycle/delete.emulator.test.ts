// deleteGenerationRequest over HTTP: files gone from the storage folder, URLs refused, a tombstone
// left for the ledger, money untouched; someone else's id 404, unfinished 409, bad ids 400; a
// shared input photo survives while another request still holds it.
import { callFunction, createTestUser, db, ledgerState, signIn } from "../../../test-support/emulator";
import { pngDataUrl } from "../../../test-support/images";
import { finishPendingDeletions } from "../../src/lifecycle/deleteRequest";
import { firestore } from "../../src/shared/firestore";
import { storage } from "../../src/storage/storage";
import { CAT, STAGING, createRequest, exists, finishWithOutputs, markRunning, startFileServer, type FileServer } from "./fixtures";

let files: FileServer;
beforeAll(async () => { files = await startFileServer(); });
afterAll(() => files.close());

const del = (token: string, id: unknown) => callFunction("deleteGenerationRequest", { token, body: { id } });

describe("deleteGenerationRequest", () => {
  it("deletes outputs and thumbnails, stops the URLs, leaves a tombstone; ledger and balance unchanged; idempotent", async () => {
    const u = await createTestUser({ credits: 10, prefix: "del" });
    const id = await createRequest(u.token, { ...CAT, numImages: 2, webhookUrl: "https://hooks.example.com/x" });
    const paths = await finishWithOutputs(id, u.uid, 2);
    const before = await callFunction("getGenerationRequest", { token: u.token, query: { id } });
    expect(before.body.outputsState).toBe("available");
    const urls = before.body.outputs.flatMap((o: any) => [o.url, o.thumbnailUrl]);
    expect(await Promise.all(urls.map((url: string) => files.fetch(url)))).toEqual([200, 200, 200, 200]);
    const ledgerBefore = await ledgerState(u.uid);

    const res = await del(u.token, id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: "succeeded", alreadyDeleted: false });

    for (const p of paths) expect(exists(p)).toBe(false);
    expect(exists(`generations/${u.uid}/${id}`)).toBe(false);
    for (const url of urls) expect([403, 404]).toContain(await files.fetch(url));
    const doc = (await db().doc(`generationRequests/${id}`).get()).data()!;
    expect(doc).toMatchObject({ status: "succeeded", prompt: "", negativePrompt: null, outputs: [], webhookUrl: null, deletedBy: `user:${u.uid}`, deletion: { filesPending: false } });
    expect(doc.render).toBeUndefined();
    expect(JSON.stringify(doc)).not.toContain("Alice");
    const view = await callFunction("getGenerationRequest", { token: u.token, query: { id } });
    expect(view.body).toMatchObject({ id, status: "succeeded", outputsState: "deleted", outputs: [], prompt: "", cost: 2, charge: "charged" });

    const ledgerAfter = await ledgerState(u.uid);
    expect(ledgerAfter.entries).toEqual(ledgerBefore.entries);
    expect(ledgerAfter.credits).toBe(8);
    expect(ledgerAfter.ledgerSum).toBe(8);
    expect(ledgerAfter.entries.find((e: any) => e.id === `debit-${id}`)).toMatchObject({ amount: -2, requestId: id });

    const again = await del(u.token, id);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id, alreadyDeleted: true, deletedAt: res.body.deletedAt });
  });

  it("refuses a queued or running request with 409 and changes nothing; failed and cancelled ones may go", async () => {
    const u = await createTestUser({ credits: 10, prefix: "del" });
    const queued = await createRequest(u.token);
    const running = await createRequest(u.token);
    await markRunning(running);
    for (const id of [queued, running]) {
      const res = await del(u.token, id);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("FAILED_PRECONDITION");
      const doc = (await db().doc(`generationRequests/${id}`).get()).data()!;
      expect(doc.deletedAt).toBeUndefined();
      expect(doc.prompt).toBe(CAT.prompt);
    }
    const cancelled = await callFunction("cancelGenerationRequest", { token: u.token, body: { id: queued } });
    expect(cancelled.status).toBe(200);
    expect((await del(u.token, queued)).status).toBe(200);
    const state = await ledgerState(u.uid);
    expect(state.credits).toBe(state.ledgerSum);
    expect(state.credits).toBe(9);
  });

  it("answers someone else's id 404 (an admin may delete it), and ids with slashes 400", async () => {
    const owner = await createTestUser({ credits: 5, prefix: "del" });
    const other = await createTestUser({ credits: 5, prefix: "del" });
    const id = await createRequest(owner.token);
    const paths = await finishWithOutputs(id, owner.uid);
    const res = await del(other.token, id);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("NOT_FOUND");
    expect(paths.every(exists)).toBe(true);
    expect((await del(other.token, "no-such-request")).status).toBe(404);
    for (const bad of [`../generationRequests/${id}`, `${id}/x`, "", 42, "__x__"]) {
      const r = await del(owner.token, bad);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("INVALID_ARGUMENT");
    }
    const admin = await signIn("admin@example.com");
    const byAdmin = await del(admin, id);
    expect(byAdmin.status).toBe(200);
    expect((await db().doc(`generationRequests/${id}`).get()).get("deletedBy")).toMatch(/^admin:/);
    expect(paths.some(exists)).toBe(false);
  });

  it("keeps an input photo another live request of the same user still uses, and deletes it with the last one", async () => {
    const u = await createTestUser({ credits: 20, prefix: "del" });
    const photo = await pngDataUrl({ r: 90, g: 140, b: 200 });
    const first = await createRequest(u.token, { ...STAGING, inputImage: photo });
    const second = await createRequest(u.token, { ...STAGING, prompt: "another room", inputImage: photo });
    const input = (await db().doc(`generationRequests/${first}`).get()).get("inputImage.path") as string;
    expect((await db().doc(`generationRequests/${second}`).get()).get("inputImage.path")).toBe(input);
    await finishWithOutputs(first, u.uid);
    await finishWithOutputs(second, u.uid);

    expect((await del(u.token, first)).status).toBe(200);
    expect(exists(input)).toBe(true);
    expect((await del(u.token, second)).status).toBe(200);
    expect(exists(input)).toBe(false);
  });

  it("a deletion that died between the tombstone and the files is finished by the scheduled run", async () => {
    const u = await createTestUser({ credits: 5, prefix: "del" });
    const id = await createRequest(u.token);
    const paths = await finishWithOutputs(id, u.uid);
    // The state a crash after the tombstone's commit leaves: files still there, flagged pending.
    await db().doc(`generationRequests/${id}`).update({ deletedAt: new Date(), deletedBy: `user:${u.uid}`, prompt: "", outputs: [], deletion: { filesPending: true, inputSha256: null } });
    expect(paths.every(exists)).toBe(true);
    const finished = await finishPendingDeletions(firestore(), storage(), 500);
    expect(finished).toContain(id);
    expect(paths.some(exists)).toBe(false);
    expect((await db().doc(`generationRequests/${id}`).get()).get("deletion.filesPending")).toBe(false);
  });
});
