// An erased account over HTTP: admins can no longer promote it, grant it credits or put it on a
// plan (issue 30: 409 ACCOUNT_ERASED, nothing written), and an ID token issued before the erasure
// can no longer create anything (issue 23 item 8; the production branch of that refusal, which
// the Auth emulator would mask, is covered in test/auth/callerResolution.emulator.test.ts).
import { callFunction, createTestUser, db, ledgerState, signIn } from "../../../test-support/emulator";
import { startErasure } from "../../src/lifecycle/erasure";
import { firestore } from "../../src/shared/firestore";

const SUPER = { uid: "superadmin_test", role: "superadmin", via: "id-token" as const };
let superToken: string;
let adminToken: string;
beforeAll(async () => {
  [superToken, adminToken] = await Promise.all([signIn("superadmin@example.com"), signIn("admin@example.com")]);
});

async function erasedUser() {
  const u = await createTestUser({ credits: 25, prefix: "erased" });
  const res = await callFunction("eraseUser", { token: superToken, body: { userId: u.uid, reason: "closing the account" } });
  expect(res.status).toBe(200);
  return u;
}

describe("admin actions on an erased account", () => {
  it("role changes, grants and plans answer 409 ACCOUNT_ERASED and write nothing", async () => {
    const u = await erasedUser();
    const ledgerBefore = await ledgerState(u.uid);
    const userBefore = (await db().doc(`users/${u.uid}`).get()).updateTime!.toMillis();
    const audits = async () => (await db().collection("auditLog").where("target.userId", "==", u.uid).get()).size;
    const auditsBefore = await audits();
    const calls = [
      await callFunction("setUserRole", { token: superToken, body: { userId: u.uid, role: "admin", reason: "promote the erased user" } }),
      await callFunction("grantCredits", { token: adminToken, body: { userId: u.uid, amount: 25, reason: "goodwill" } }),
      await callFunction("setUserPlan", { token: adminToken, body: { userId: u.uid, planId: "creator", reason: "upgrade" } }),
    ];
    for (const res of calls) {
      expect({ status: res.status, code: res.body.error?.code, userId: res.body.error?.details?.userId }).toEqual({ status: 409, code: "ACCOUNT_ERASED", userId: u.uid });
    }
    expect(await ledgerState(u.uid)).toEqual(ledgerBefore);
    expect((await db().doc(`users/${u.uid}`).get()).updateTime!.toMillis()).toBe(userBefore);
    expect((await db().doc(`users/${u.uid}`).get()).get("role")).toBe("user");
    expect(await audits()).toBe(auditsBefore);
  });

  it("an erasure that has only started already refuses them", async () => {
    const u = await createTestUser({ credits: 5, prefix: "erased" });
    await startErasure(firestore(), u.uid, SUPER, "started only");
    const res = await callFunction("grantCredits", { token: adminToken, body: { userId: u.uid, amount: 5, reason: "goodwill" } });
    expect([res.status, res.body.error?.code]).toEqual([409, "ACCOUNT_ERASED"]);
  });
});

describe("an ID token issued before the erasure", () => {
  it("can no longer create a custom model, an upload, a checkout or a webhook secret", async () => {
    const u = await erasedUser();
    const calls = {
      createCustomModel: await callFunction("createCustomModel", { token: u.token, body: { name: "Jane", baseModel: "A", images: [] } }),
      createUpload: await callFunction("createUpload", { token: u.token, body: { purpose: "input-image", contentType: "image/png", bytes: 1 } }),
      createCheckoutSession: await callFunction("createCheckoutSession", { token: u.token, body: { packId: "pack-100" } }),
      rotateWebhookSecret: await callFunction("rotateWebhookSecret", { token: u.token, body: {} }),
    };
    for (const [name, res] of Object.entries(calls)) expect([name, res.status, res.body.error?.code]).toEqual([name, 401, "UNAUTHENTICATED"]);
    expect((await db().collection("uploads").where("userId", "==", u.uid).get()).size).toBe(0);
    expect((await db().collection("customModels").where("userId", "==", u.uid).get()).size).toBe(0);
    expect((await db().doc(`users/${u.uid}/private/webhook`).get()).exists).toBe(false);
  });
});
