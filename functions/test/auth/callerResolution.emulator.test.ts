// Issue 23 item 8: caller resolution, the one place every authenticated call passes, refuses an
// account whose erasure has started and ID tokens of disabled or signed-out accounts. Pointed at
// the Auth emulator, firebase-admin's verifyIdToken checks revocation and disabled accounts on
// every call, so these tests inject a verifier that answers as production does for a token that
// is still cryptographically valid (no Auth lookup), and drive the real resolution code against
// the Firestore emulator.
import type { DecodedIdToken } from "firebase-admin/auth";
import { createTestUser, db } from "../../../test-support/emulator";
import { AccountStateCache } from "../../src/auth/accountState";
import { createKey } from "../../src/auth/apiKeyStore";
import { resolveCaller, type CallerDeps } from "../../src/auth/caller";
import { runErasure, startErasure } from "../../src/lifecycle/erasure";
import { eraseContext } from "../../src/lifecycle/http";
import { firestore } from "../../src/shared/firestore";

const SUPER = { uid: "superadmin_test", role: "superadmin", via: "id-token" as const };
const nowSec = () => Math.floor(Date.now() / 1000);

/** A verifier that accepts any token named `valid:<uid>` as production's would before its expiry; checkRevoked is never asked for user tokens. */
function fakeVerifier(claims: Record<string, unknown> = {}) {
  const calls: Array<{ uid: string; checkRevoked: boolean }> = [];
  return {
    calls,
    verifyIdToken: async (token: string, checkRevoked = false) => {
      const uid = token.replace(/^valid:/, "");
      calls.push({ uid, checkRevoked });
      return { uid, sub: uid, auth_time: nowSec() - 60, iat: nowSec() - 60, exp: nowSec() + 3000, ...claims } as unknown as DecodedIdToken;
    },
  };
}

/** Auth as the cached account lookup sees it. */
const accountsSaying = (state: { disabled: boolean; tokensValidAfterTime?: string }) => new AccountStateCache({ getUser: async () => state }, 30_000);

const deps = (over: Partial<CallerDeps> = {}): CallerDeps => ({ verifier: fakeVerifier(), accounts: accountsSaying({ disabled: false }), db: firestore(), ...over });
const bearer = (uid: string) => ({ authorization: `Bearer valid:${uid}` });

describe("caller resolution (production branch: the ID token itself still verifies)", () => {
  it("accepts a user's valid token on an enabled account, without an Auth round trip per call", async () => {
    const u = await createTestUser({ credits: 0, prefix: "caller" });
    const verifier = fakeVerifier();
    await expect(resolveCaller(deps({ verifier }), bearer(u.uid))).resolves.toMatchObject({ uid: u.uid, role: "user", via: "id-token" });
    expect(verifier.calls).toEqual([{ uid: u.uid, checkRevoked: false }]);
  });

  it("refuses every credential of an account whose erasure has started, before Auth has been told", async () => {
    const u = await createTestUser({ credits: 0, prefix: "caller" });
    const key = await createKey(firestore(), "test", { userId: u.uid, name: "k", scopes: ["generate", "read"], expiresAt: null, dailyQuota: null, ratePerMinute: null, maxConcurrentCreates: null }, SUPER);
    await startErasure(firestore(), u.uid, SUPER, "caller resolution");
    for (const headers of [bearer(u.uid), { "x-api-key": key.key }]) {
      await expect(resolveCaller(deps(), headers)).rejects.toMatchObject({ code: "UNAUTHENTICATED", status: 401, details: { reason: "account-erased" } });
    }
  });

  it("refuses a still-valid ID token after a completed erasure, whatever the account cache says", async () => {
    const u = await createTestUser({ credits: 0, prefix: "caller" });
    await startErasure(firestore(), u.uid, SUPER, "after erasure");
    await runErasure(eraseContext(u.uid));
    expect((await db().doc(`erasures/${u.uid}`).get()).get("status")).toBe("completed");
    await expect(resolveCaller(deps(), bearer(u.uid))).rejects.toMatchObject({ code: "UNAUTHENTICATED", details: { reason: "account-erased" } });
  });

  it("refuses an ID token of a disabled account, and one issued before its refresh tokens were revoked", async () => {
    const u = await createTestUser({ credits: 0, prefix: "caller" });
    await expect(resolveCaller(deps({ accounts: accountsSaying({ disabled: true }) }), bearer(u.uid)))
      .rejects.toMatchObject({ code: "UNAUTHENTICATED", details: { reason: "account-disabled" } });
    const revokedNow = new Date(nowSec() * 1000).toUTCString();
    await expect(resolveCaller(deps({ accounts: accountsSaying({ disabled: false, tokensValidAfterTime: revokedNow }) }), bearer(u.uid)))
      .rejects.toMatchObject({ code: "UNAUTHENTICATED", details: { reason: "token-revoked" } });
    // A token from a sign-in after the revocation is fine.
    const before = new Date((nowSec() - 120) * 1000).toUTCString();
    await expect(resolveCaller(deps({ accounts: accountsSaying({ disabled: false, tokensValidAfterTime: before }) }), bearer(u.uid))).resolves.toMatchObject({ uid: u.uid });
  });

  it("checks an elevated token against Auth on every call", async () => {
    const a = await createTestUser({ credits: 0, prefix: "caller", role: "admin" });
    const verifier = fakeVerifier({ role: "admin" });
    await expect(resolveCaller(deps({ verifier }), bearer(a.uid))).resolves.toMatchObject({ uid: a.uid, role: "admin" });
    expect(verifier.calls).toEqual([{ uid: a.uid, checkRevoked: false }, { uid: a.uid, checkRevoked: true }]);
  });
});
