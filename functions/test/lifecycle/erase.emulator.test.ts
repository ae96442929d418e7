// eraseUser over HTTP against the emulators: open work refunded through the one refund path
// first, keys and sign-in refused, every file gone, content scrubbed, the ledger's amounts intact;
// a second call changes nothing; an erasure interrupted half-way completes on the next call or on
// the scheduled run; only a superadmin, or the user with a fresh sign-in, may erase.
import { PROJECT_ID, auth, callFunction, createTestUser, db, ledgerState, signIn } from "../../../test-support/emulator";
import { pngDataUrl } from "../../../test-support/images";
import { resumeErasures, runErasure, startErasure } from "../../src/lifecycle/erasure";
import { eraseContext } from "../../src/lifecycle/http";
import { REDACTED } from "../../src/lifecycle/scrub";
import { userStoragePrefixes } from "../../src/lifecycle/paths";
import { firestore } from "../../src/shared/firestore";
import { storage } from "../../src/storage/storage";
import { createdModel, modelDoc, runnerClaim, runnerSucceed } from "../models/helpers";
import { CAT, STAGING, createRequest, filesUnder, finishWithOutputs, markRunning } from "./fixtures";

const SUPER = { uid: "superadmin_test", role: "superadmin", via: "id-token" as const };
let superToken: string;
let adminToken: string;
beforeAll(async () => {
  [superToken, adminToken] = await Promise.all([signIn("superadmin@example.com"), signIn("admin@example.com")]);
});

const erase = (token: string, userId: unknown, reason = "account closed at the user's request") => callFunction("eraseUser", { token, body: { userId, reason } });
const userFiles = (uid: string) => userStoragePrefixes(uid).flatMap(filesUnder);

/** A user with everything erasure must handle: queued, running and finished work, an input photo, keys, custom models (queued, training, ready), a webhook secret. */
async function populatedUser() {
  const u = await createTestUser({ credits: 35, prefix: "erase" });
  const queued = await createRequest(u.token, { ...CAT, numImages: 2 });
  const running = await createRequest(u.token, { ...CAT, numImages: 3 });
  await markRunning(running);
  const done = await createRequest(u.token, { ...STAGING, inputImage: await pngDataUrl({ r: 1, g: 2, b: 3 }) });
  await finishWithOutputs(done, u.uid);
  // Custom models, 5 credits each: one queued, one training (claimed as a runner does), one ready with its LoRA.
  const models = { queued: await createdModel(u.token, {}, 100), training: await createdModel(u.token, {}, 120), ready: await createdModel(u.token, {}, 140) };
  await runnerClaim(models.training);
  await runnerClaim(models.ready);
  await runnerSucceed(models.ready);
  // An upload record and its file (as the PUT would leave them).
  const upload = await callFunction("createUpload", { token: u.token, body: { purpose: "input-image", contentType: "image/png", bytes: 1 } });
  expect(upload.status).toBe(201);
  await storage().save(`uploads/${u.uid}/${upload.body.uploadId}`, Buffer.from("x"), "image/png");
  expect((await db().collection("uploads").where("userId", "==", u.uid).get()).size).toBe(1);
  const key = await callFunction("createApiKey", { token: adminToken, body: { userId: u.uid, name: "Alice's render farm" } });
  expect(key.status).toBe(201);
  expect((await callFunction("getUserCredits", { apiKey: key.body.key })).status).toBe(200);
  expect((await callFunction("getWebhookSecret", { token: u.token })).status).toBe(200);
  expect(userFiles(u.uid).length).toBeGreaterThanOrEqual(6);
  return { ...u, queued, running, done, models, apiKey: key.body.key as string, keyId: key.body.keyId as string };
}

async function snapshotOf(uid: string) {
  const [ledger, requests, user] = await Promise.all([
    db().collection(`users/${uid}/ledger`).get(), db().collection("generationRequests").where("userId", "==", uid).get(), db().doc(`users/${uid}`).get(),
  ]);
  return { ledger: ledger.docs.map((d) => [d.id, d.updateTime.toMillis()]), requests: requests.docs.map((d) => [d.id, d.updateTime.toMillis()]), user: user.updateTime?.toMillis() };
}

async function expectErased(u: Awaited<ReturnType<typeof populatedUser>>, ledgerBefore: Awaited<ReturnType<typeof ledgerState>>) {
  const [q, r, d] = await Promise.all([u.queued, u.running, u.done].map((id) => db().doc(`generationRequests/${id}`).get().then((s) => s.data()!)));
  expect(q).toMatchObject({ status: "cancelled", refunded: true, error: { code: "USER_ERASED" }, prompt: "" });
  expect(r).toMatchObject({ status: "failed", refunded: true, error: { code: "USER_ERASED" }, lease: null, prompt: "" });
  expect(d).toMatchObject({ status: "succeeded", prompt: "", outputs: [], inputImage: null });
  expect(userFiles(u.uid)).toEqual([]);

  const after = await ledgerState(u.uid);
  // Every entry that existed keeps its id and amount; the refunds were added; no free text is left.
  const amounts = (s: typeof after) => Object.fromEntries(s.entries.map((e: any) => [e.id, e.amount]));
  expect(amounts(after)).toEqual({
    ...amounts(ledgerBefore), [`refund-${u.queued}`]: 2, [`refund-${u.running}`]: 3, [`refund-${u.models.queued}`]: 5, [`refund-${u.models.training}`]: 5,
  });
  expect(after.entries.every((e: any) => e.reason === REDACTED)).toBe(true);
  expect(after.entries.filter((e: any) => e.type === "refund")).toHaveLength(4);
  expect(after.credits).toBe(after.ledgerSum);
  // What stays spent: the finished request (2) and the model that finished training (5).
  expect(after.credits).toBe(35 - 2 - 5);
  const models = await Promise.all(Object.values(u.models).map(modelDoc));
  expect(models.map((m) => [m.status, m.name, m.triggerWord])).toEqual(Array(3).fill(["deleted", REDACTED, REDACTED]));
  expect((await db().collection("uploads").where("userId", "==", u.uid).get()).size).toBe(0);

  const keyCall = await callFunction("getUserCredits", { apiKey: u.apiKey });
  expect(keyCall.status).toBe(401);
  expect((await db().doc(`apiKeys/${u.keyId}`).get()).get("name")).toBe(REDACTED);
  await expect(signIn(u.email)).rejects.toThrow(/sign-in failed/);
  expect((await auth().getUser(u.uid)).disabled).toBe(true);
  // An ID token issued before the erasure can no longer buy anything.
  const late = await callFunction("createGenerationRequest", { token: u.token, body: CAT });
  expect(late.status).toBe(401);
  expect((await db().doc(`users/${u.uid}/private/webhook`).get()).exists).toBe(false);
  expect((await db().doc(`users/${u.uid}`).get()).get("email")).toBeNull();
}

describe("eraseUser", () => {
  it("refunds open work first, then leaves no files, no usable keys or sign-in, and an intact ledger; a second call changes nothing", async () => {
    const u = await populatedUser();
    const ledgerBefore = await ledgerState(u.uid);
    const res = await erase(superToken, u.uid);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userId: u.uid, status: "completed", alreadyErased: false });
    expect(res.body.stepsDone).toEqual(["account", "apiKeys", "stripe", "work", "customModels", "requests", "storage", "ledger", "webhooks", "profile"]);
    await expectErased(u, ledgerBefore);
    const audit = await db().collection("auditLog").where("target.userId", "==", u.uid).where("action", "==", "user.erase").get();
    expect(audit.docs).toHaveLength(1);
    expect(audit.docs[0].get("actor")).toMatchObject({ uid: "superadmin_test", role: "superadmin" });

    const before = await snapshotOf(u.uid);
    const again = await erase(superToken, u.uid);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: "completed", alreadyErased: true, completedAt: res.body.completedAt });
    expect(await snapshotOf(u.uid)).toEqual(before);
    expect((await db().collection("auditLog").where("target.userId", "==", u.uid).get()).docs.filter((d) => d.get("action") === "user.erase")).toHaveLength(1);
  });

  it("an erasure interrupted half-way completes on the next call", async () => {
    const u = await populatedUser();
    const ledgerBefore = await ledgerState(u.uid);
    await startErasure(firestore(), u.uid, SUPER, "interrupted on purpose");
    const partial = await runErasure(eraseContext(u.uid), { stopAfter: 4 });
    expect(partial).toMatchObject({ status: "running", stepsDone: ["account", "apiKeys", "stripe", "work"] });
    // Killed here: work refunded, but content and files still there.
    expect((await db().doc(`generationRequests/${u.done}`).get()).get("prompt")).toBe(STAGING.prompt);
    expect(userFiles(u.uid).length).toBeGreaterThan(0);
    const res = await erase(superToken, u.uid);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "completed", alreadyErased: false });
    await expectErased(u, ledgerBefore);
  });

  it("the scheduled run finishes an erasure whose caller went away", async () => {
    const u = await populatedUser();
    const ledgerBefore = await ledgerState(u.uid);
    await startErasure(firestore(), u.uid, SUPER, "caller went away");
    await runErasure(eraseContext(u.uid), { stopAfter: 5 });
    const now = new Date(Date.now() + 10 * 60_000);
    const resumed = await resumeErasures(eraseContext, { db: firestore(), now, idleMs: 5 * 60_000, recheckMs: 0, limit: 50 });
    expect(resumed.resumed).toContain(u.uid);
    expect((await db().doc(`erasures/${u.uid}`).get()).get("status")).toBe("completed");
    await expectErased(u, ledgerBefore);
  });
});

/** An ID token as the Auth emulator would issue it, signed in `ageSeconds` ago (the emulator accepts unsigned tokens). */
function tokenSignedInAgo(uid: string, ageSeconds: number): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part({
    iss: `https://securetoken.google.com/${PROJECT_ID}`, aud: PROJECT_ID, sub: uid, user_id: uid, auth_time: now - ageSeconds, iat: now - 60, exp: now + 3000,
    firebase: { identities: {}, sign_in_provider: "password" },
  })}.`;
}

/** The emulator refuses tokens from before the account's validSince, so an hour-old sign-in needs an older account. */
async function backdateValidSince(uid: string, ageSeconds: number): Promise<void> {
  const res = await fetch(`http://${process.env.FIREBASE_AUTH_EMULATOR_HOST}/identitytoolkit.googleapis.com/v1/projects/${PROJECT_ID}/accounts:update`, {
    method: "POST", headers: { "content-type": "application/json", authorization: "Bearer owner" },
    body: JSON.stringify({ localId: uid, validSince: String(Math.floor(Date.now() / 1000) - ageSeconds) }),
  });
  expect(res.status).toBe(200);
}

describe("the create commit during an erasure", () => {
  it("refuses a user whose erasure has started, even with a valid token on an enabled account", async () => {
    // Deployed, a user's ID token is not re-checked against Auth on every call, so the commit is
    // what stops a token issued before the erasure; the Auth account is left enabled here to show it.
    const u = await createTestUser({ credits: 5, prefix: "erase" });
    await startErasure(firestore(), u.uid, SUPER, "commit refusal");
    const res = await callFunction("createGenerationRequest", { token: u.token, body: CAT });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/erased/);
    const state = await ledgerState(u.uid);
    expect([state.credits, state.ledgerSum, state.entries.length]).toEqual([5, 5, 1]);
  });
});

describe("who may erase", () => {
  it("a user themselves only with a fresh sign-in; an admin or another user never; bad ids 400; unknown users 404", async () => {
    const u = await createTestUser({ credits: 3, prefix: "erase" });
    const other = await createTestUser({ credits: 3, prefix: "erase" });
    await backdateValidSince(u.uid, 7200);
    const stale = await erase(tokenSignedInAgo(u.uid, 3600), u.uid);
    expect(stale.status).toBe(403);
    expect(stale.body.error.details).toMatchObject({ reason: "stale-sign-in" });
    for (const token of [adminToken, other.token]) {
      const r = await erase(token, u.uid);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe("PERMISSION_DENIED");
    }
    for (const bad of ["a/b", "..", ""]) expect((await erase(superToken, bad)).status).toBe(400);
    expect((await erase(superToken, u.uid, "")).status).toBe(400);
    expect((await erase(superToken, "nobody-here")).status).toBe(404);
    expect((await db().doc(`erasures/${u.uid}`).get()).exists).toBe(false);

    const self = await erase(u.token, u.uid, "I am leaving");
    expect(self.status).toBe(200);
    expect(self.body.status).toBe("completed");
    await expect(signIn(u.email)).rejects.toThrow(/sign-in failed/);
  });
});
