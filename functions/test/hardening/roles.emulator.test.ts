// Issue 12 item 7: role changes converge. A failed revocation is finished by a retry that changes
// nothing; concurrent changes end with claim, mirror and audit log agreeing on the last writer; a
// user promoted before having a users document is listed; a demotion whose revocation failed
// still takes effect on the next admin call (the mirror is consulted).
import { afterIssueSecond } from "../../../test-support/wait";
import { auth, callFunction, createTestUser, db, signIn } from "../../../test-support/emulator";
import { changeRole } from "../../src/auth/roleChange";
import { firestore, adminAuth } from "../../src/shared/firestore";

const actor = { uid: "superadmin_test", role: "superadmin" as const, via: "id-token" as const };

function failingRevocation() {
  const real = adminAuth();
  return {
    getUser: real.getUser.bind(real),
    setCustomUserClaims: real.setCustomUserClaims.bind(real),
    revokeRefreshTokens: async () => {
      throw new Error("auth backend unavailable");
    },
  };
}

it("a demotion whose revocation failed is finished by the next call, and is effective meanwhile", async () => {
  const u = await createTestUser({ credits: 0, role: "admin", prefix: "demote" });
  const oldToken = u.token;
  await afterIssueSecond(oldToken);
  await expect(changeRole(firestore(), failingRevocation(), actor, { userId: u.uid, role: "user", reason: "left the team" })).rejects.toThrow(/unavailable/);
  expect((await db().doc(`users/${u.uid}`).get()).data()).toMatchObject({ role: "user", roleSync: { pending: true, revoke: true } });
  // The old admin token is not yet revoked, but the mirror already says user: admin calls fail.
  expect((await callFunction("listUsers", { token: oldToken })).status).toBe(403);

  const retry = await changeRole(firestore(), adminAuth(), actor, { userId: u.uid, role: "user", reason: "retry" });
  expect(retry).toMatchObject({ changed: false, tokensRevoked: true, before: "user", after: "user" });
  expect((await db().doc(`users/${u.uid}`).get()).get("roleSync")).toMatchObject({ pending: false, revoke: false });
  expect((await auth().getUser(u.uid)).customClaims?.role).toBe("user");
  expect((await callFunction("listUsers", { token: oldToken })).status).toBe(401);
});

it("concurrent role changes leave claim, mirror and the last audit entry in agreement", async () => {
  const u = await createTestUser({ credits: 0, prefix: "race" });
  for (let round = 0; round < 3; round++) {
    const targets = ["admin", "user", "admin", "user", "admin"] as const;
    await Promise.allSettled(targets.map((role, i) => changeRole(firestore(), adminAuth(), actor, { userId: u.uid, role, reason: `race ${round}.${i}` })));
    // Any call still owed work is finished by one more (no-op) call, as a client retry would.
    await changeRole(firestore(), adminAuth(), actor, { userId: u.uid, role: (await db().doc(`users/${u.uid}`).get()).get("role"), reason: "settle" });
    const mirror = (await db().doc(`users/${u.uid}`).get()).get("role");
    const claim = (await auth().getUser(u.uid)).customClaims?.role ?? "user";
    const audit = await db().collection("auditLog").where("target.userId", "==", u.uid).orderBy("at", "desc").limit(1).get();
    expect({ claim, audit: audit.docs[0].get("after.role") }).toEqual({ claim: mirror, audit: mirror });
  }
});

it("a user promoted before having a users document appears in listUsers?role=admin", async () => {
  const uid = `nodoc_${Date.now().toString(36)}`;
  await auth().createUser({ uid, email: `${uid}@test.example.com`, password: "password123" });
  await changeRole(firestore(), adminAuth(), actor, { userId: uid, role: "admin", reason: "new hire" });
  const superadmin = await signIn("superadmin@example.com");
  const found: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await callFunction("listUsers", { token: superadmin, query: { role: "admin", limit: 100, cursor } });
    expect(page.status).toBe(200);
    found.push(...page.body.users.map((x: { userId: string }) => x.userId));
    cursor = page.body.nextCursor ?? undefined;
  } while (cursor);
  expect(found).toContain(uid);
});
