// Uploads over HTTP: createUpload signs a PUT URL; the runner's PUT route (served in-process,
// helpers.ts) enforces what the signature binds (path, content type, exact size), expiry and one
// use; an upload is checked when used (here: as a generation's input image).
import { callFunction, createTestUser, db, ledgerState } from "../../../test-support/emulator";
import { Timestamp } from "firebase-admin/firestore";
import { deleteStaleUploads } from "../../src/uploads/cleanup";
import { firestore } from "../../src/shared/firestore";
import { LocalStorage, storageFrom } from "../../src/storage/storage";
import { loadConfig } from "../../src/config";
import { createUpload, onDisk, photo, put, SIGNING_SECRET, startUploadServer, STORAGE_DIR, uploaded } from "./helpers";

let server: Awaited<ReturnType<typeof startUploadServer>>;
beforeAll(async () => (server = await startUploadServer()));
afterAll(() => server.close());

describe("createUpload and the signed PUT route", () => {
  it("answers 201 with a single-use PUT URL; the bytes land at uploads/{uid}/{uploadId}", async () => {
    const u = await createTestUser({ credits: 0 });
    const png = await photo(1);
    const up = await createUpload(u.token, png.length);
    expect(up).toMatchObject({ uploadId: expect.stringMatching(/^up_/), method: "PUT", headers: { "Content-Type": "image/png" } });
    expect(Date.parse(up.expiresAt)).toBeGreaterThan(Date.now());
    expect((await put(server.origin, up.uploadUrl, up.headers, png)).status).toBe(200);
    const doc = (await db().doc(`uploads/${up.uploadId}`).get()).data()!;
    expect(doc).toMatchObject({ userId: u.uid, purpose: "training-image", contentType: "image/png", bytes: png.length, path: `uploads/${u.uid}/${up.uploadId}`, status: "pending" });
    expect(onDisk(doc.path)).toBe(true);
    // One use: the same URL again is refused and the first bytes stay.
    expect((await put(server.origin, up.uploadUrl, up.headers, png)).status).toBe(412);
  });

  it("refuses a wrong size, a wrong content type, a bad signature, a path outside uploads/ and an expired URL", async () => {
    const u = await createTestUser({ credits: 0 });
    const png = await photo(2);
    const up = await createUpload(u.token, png.length);
    const longer = Buffer.concat([png, Buffer.from("x")]);
    expect((await put(server.origin, up.uploadUrl, up.headers, longer)).status).toBe(400);
    expect((await put(server.origin, up.uploadUrl, up.headers, png.subarray(1))).status).toBe(400);
    expect((await put(server.origin, up.uploadUrl, { "Content-Type": "image/jpeg" }, png))).toMatchObject({ status: 403, body: { error: { message: expect.stringMatching(/signature/) } } });
    const forged = up.uploadUrl.replace(/sig=([0-9a-f])/, (_m, c) => `sig=${c === "0" ? "1" : "0"}`);
    expect((await put(server.origin, forged, up.headers, png)).status).toBe(403);
    const elsewhere = up.uploadUrl.replace("/files/uploads/", "/files/generations/");
    expect((await put(server.origin, elsewhere, up.headers, png)).status).toBe(403);
    // The same path signed for a client who comes back after the URL's expiry.
    const late = await new LocalStorage(STORAGE_DIR, SIGNING_SECRET, "http://x/files").signedUploadUrl(`uploads/${u.uid}/${up.uploadId}`, { contentType: "image/png", bytes: png.length, ttlSeconds: 60 }, new Date(Date.now() - 3_600_000));
    expect((await put(server.origin, late.url, late.headers, png))).toMatchObject({ status: 403, body: { error: { message: "upload URL expired" } } });
    // Nothing of it was stored, so the fresh URL still works once.
    expect((await put(server.origin, up.uploadUrl, up.headers, png)).status).toBe(200);
  });

  it("validates createUpload's input (purpose, content type, size)", async () => {
    const u = await createTestUser({ credits: 0 });
    for (const body of [{ purpose: "avatar", contentType: "image/png", bytes: 10 }, { purpose: "input-image", contentType: "text/plain", bytes: 10 }, { purpose: "input-image", contentType: "image/png", bytes: 0 }, { purpose: "input-image", contentType: "image/png", bytes: 26 * 1024 * 1024 }]) {
      const res = await callFunction("createUpload", { token: u.token, body });
      expect(res).toMatchObject({ status: 400, body: { error: { code: "INVALID_ARGUMENT" } } });
    }
  });
});

describe("cleanupUploads", () => {
  it("deletes old uploads (document and object) in bounded batches that resume, and leaves fresh ones", async () => {
    const u = await createTestUser({ credits: 0 });
    const [old1, old2, fresh] = await Promise.all([1, 2, 3].map(async (i) => uploaded(server.origin, u.token, await photo(300 + i))));
    // Far older than anything another suite writes, so this run touches only these two.
    for (const [i, id] of [old1, old2].entries()) await db().doc(`uploads/${id}`).update({ createdAt: Timestamp.fromMillis(Date.UTC(2001, 0, 1, 0, i)) });
    const files = storageFrom(loadConfig());
    const cutoff = { olderThan: new Date(Date.UTC(2002, 0, 1)), limit: 1 };
    expect(await deleteStaleUploads(firestore(), files, cutoff)).toEqual({ deleted: 1, errors: 0 });
    expect((await db().doc(`uploads/${old1}`).get()).exists).toBe(false);
    expect(onDisk(`uploads/${u.uid}/${old1}`)).toBe(false);
    expect(onDisk(`uploads/${u.uid}/${old2}`)).toBe(true);
    expect(await deleteStaleUploads(firestore(), files, cutoff)).toEqual({ deleted: 1, errors: 0 });
    expect(await deleteStaleUploads(firestore(), files, cutoff)).toEqual({ deleted: 0, errors: 0 });
    expect(onDisk(`uploads/${u.uid}/${old2}`)).toBe(false);
    expect(onDisk(`uploads/${u.uid}/${fresh}`)).toBe(true);
  });
});

describe("inputImageUploadId on createGenerationRequest", () => {
  const STAGING = { model: "staging", style: "scandinavian", color: "muted", size: "512x512", prompt: "living room, staged" };

  it("uses an uploaded photo like a data URL: decoded, stored upright as PNG, charged once", async () => {
    const u = await createTestUser({ credits: 10 });
    const uploadId = await uploaded(server.origin, u.token, await photo(3, 128), { purpose: "input-image" });
    const res = await callFunction("createGenerationRequest", { token: u.token, body: { ...STAGING, inputImageUploadId: uploadId } });
    expect(res.status).toBe(201);
    const req = (await db().doc(`generationRequests/${res.body.generationRequestId}`).get()).data()!;
    expect(req.inputImage).toMatchObject({ path: expect.stringMatching(new RegExp(`^inputs/${u.uid}/[0-9a-f]{64}\\.png$`)), width: 128, height: 128, sourceFormat: "png" });
    expect(req.render.inputImagePath).toBe(req.inputImage.path);
    expect(onDisk(req.inputImage.path)).toBe(true);
    const state = await ledgerState(u.uid);
    expect(state).toMatchObject({ credits: 8, ledgerSum: 8 });
  });

  it("refuses a non-image, a missing upload, someone else's and a training upload: 400, nothing charged", async () => {
    const [u, other] = await Promise.all([createTestUser({ credits: 10 }), createTestUser({ credits: 0 })]);
    const text = await uploaded(server.origin, u.token, Buffer.from("this is not an image at all"), { purpose: "input-image" });
    const never = (await createUpload(u.token, 100, { purpose: "input-image" })).uploadId;
    const theirs = await uploaded(server.origin, other.token, await photo(4), { purpose: "input-image" });
    const training = await uploaded(server.origin, u.token, await photo(5));
    const reasons: string[] = [];
    for (const id of [text, never, theirs, training]) {
      const res = await callFunction("createGenerationRequest", { token: u.token, body: { ...STAGING, inputImageUploadId: id } });
      expect(res).toMatchObject({ status: 400, body: { error: { code: "INVALID_ARGUMENT", details: { fields: [{ path: "inputImageUploadId" }] } } } });
      reasons.push(res.body.error.message);
    }
    expect(reasons[0]).toMatch(/could not be decoded/);
    expect(reasons[1]).toMatch(/nothing was uploaded/);
    expect(reasons[2]).toMatch(/upload not found/);
    expect(reasons[3]).toMatch(/for 'training-image'/);
    expect(await ledgerState(u.uid)).toMatchObject({ credits: 10, ledgerSum: 10 });
  });
});
