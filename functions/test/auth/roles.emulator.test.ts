// Roles over HTTP: what a user, an admin and a superadmin may do, role changes with their audit
// entries, a demotion that takes effect at once, and the bootstrap script.
import { afterIssueSecond } from "../../../test-support/wait";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { auth, callFunction, createTestUser, db, ledgerState, signIn } from "../../../test-support/emulator";

const run = promisify(execFile);
const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space" };

let admin: string;
let superadmin: string;
beforeAll(async () => {
  [admin, superadmin] = await Promise.all([signIn("admin@example.com"), signIn("superadmin@example.com")]);
});

describe("roles", () => {
  it("a user cannot grant credits, create keys, change roles, read the audit log or others' data; an admin can (except roles)", async () => {
    const alice = await createTestUser({ credits: 5 });
    const bob = await createTestUser({ credits: 5 });
    const bobsRequest = await callFunction("createGenerationRequest", { token: bob.token, body: CAT });
    const asAlice = {
      grant: await callFunction("grantCredits", { token: alice.token, body: { userId: alice.uid, amount: 100, reason: "free money" } }),
      // A key for herself is self-service (capped by her plan); one for somebody else is not hers to make.
      key: await callFunction("createApiKey", { token: alice.token, body: { userId: bob.uid, name: "his" } }),
      role: await callFunction("setUserRole", { token: alice.token, body: { userId: alice.uid, role: "admin", reason: "promote me" } }),
      audit: await callFunction("listAuditLog", { token: alice.token }),
      credits: await callFunction("getUserCredits", { token: alice.token, query: { userId: bob.uid } }),
      list: await callFunction("listGenerationRequests", { token: alice.token, query: { userId: bob.uid } }),
    };
    for (const [what, res] of Object.entries(asAlice)) expect([what, res.status, res.body.error.code]).toEqual([what, 403, "PERMISSION_DENIED"]);
    // Someone else's request id looks exactly like one that does not exist.
    const peek = await callFunction("getGenerationRequest", { token: alice.token, query: { id: bobsRequest.body.generationRequestId } });
    expect([peek.status, peek.body.error.code]).toEqual([404, "NOT_FOUND"]);

    expect((await callFunction("grantCredits", { token: admin, body: { userId: alice.uid, amount: 7, reason: "support ticket 42" } })).status).toBe(201);
    expect((await callFunction("createApiKey", { token: admin, body: { userId: alice.uid, name: "support" } })).status).toBe(201);
    expect((await callFunction("getUserCredits", { token: admin, query: { userId: bob.uid } })).body.currentCredits).toBe(4);
    expect((await callFunction("getGenerationRequest", { token: admin, query: { id: bobsRequest.body.generationRequestId } })).status).toBe(200);
    const adminRole = await callFunction("setUserRole", { token: admin, body: { userId: alice.uid, role: "admin", reason: "an admin cannot" } });
    expect([adminRole.status, adminRole.body.error.code]).toEqual([403, "PERMISSION_DENIED"]);

    const audit = (await callFunction("listAuditLog", { token: admin, query: { userId: alice.uid } })).body.entries;
    expect(audit.map((e: any) => e.action)).toEqual(["apiKey.create", "credits.grant"]);
    expect(audit[1]).toMatchObject({ before: { credits: 5 }, after: { credits: 12 }, reason: "support ticket 42", actor: { uid: "admin_test" } });
    expect(await ledgerState(alice.uid)).toMatchObject({ credits: 12, ledgerSum: 12 });
  });

  it("only a superadmin makes an admin; a demotion stops the old token at once; all of it audited", async () => {
    const carol = await createTestUser({ credits: 0 });
    const promote = await callFunction("setUserRole", { token: superadmin, body: { userId: carol.uid, role: "admin", reason: "new support lead" } });
    expect(promote.body).toEqual({ userId: carol.uid, before: "user", after: "admin", changed: true, tokensRevoked: false });
    expect((await auth().getUser(carol.uid)).customClaims).toMatchObject({ role: "admin" });
    expect((await db().doc(`users/${carol.uid}`).get()).get("role")).toBe("admin");
    // The claim arrives with the next token; the old one still says user.
    expect((await callFunction("listAuditLog", { token: carol.token })).status).toBe(403);
    const carolAdmin = await signIn(carol.email);
    expect((await callFunction("listAuditLog", { token: carolAdmin })).status).toBe(200);
    const asNewAdmin = await callFunction("setUserRole", { token: carolAdmin, body: { userId: carol.uid, role: "superadmin", reason: "self promotion" } });
    expect(asNewAdmin.status).toBe(403);

    const again = await callFunction("setUserRole", { token: superadmin, body: { userId: carol.uid, role: "admin", reason: "no-op" } });
    expect(again.body.changed).toBe(false);
    // Revocation has one-second granularity (Auth compares whole-second times): a token signed
    // in the same second as the demotion would survive it.
    await afterIssueSecond(carolAdmin);
    const demote = await callFunction("setUserRole", { token: superadmin, body: { userId: carol.uid, role: "user", reason: "left the team" } });
    expect(demote.body).toMatchObject({ before: "admin", after: "user", changed: true, tokensRevoked: true });
    const stale = await callFunction("grantCredits", { token: carolAdmin, body: { userId: carol.uid, amount: 50, reason: "before I go" } });
    expect([stale.status, stale.body.error.code]).toEqual([401, "UNAUTHENTICATED"]);
    expect((await ledgerState(carol.uid)).credits).toBe(0);

    const self = await callFunction("setUserRole", { token: superadmin, body: { userId: "superadmin_test", role: "user", reason: "oops" } });
    expect([self.status, self.body.error.code]).toEqual([409, "FAILED_PRECONDITION"]);
    const ghost = await callFunction("setUserRole", { token: superadmin, body: { userId: "ghost_user_x", role: "admin", reason: "nobody" } });
    expect(ghost.status).toBe(404);
    const badRole = await callFunction("setUserRole", { token: superadmin, body: { userId: carol.uid, role: "owner", reason: "x" } });
    expect(badRole.body.error.details.fields.map((f: { path: string }) => f.path)).toEqual(["role", "reason"]);

    const audit = (await callFunction("listAuditLog", { token: admin, query: { userId: carol.uid } })).body.entries;
    expect(audit.map((e: any) => [e.action, e.before.role, e.after.role, e.reason])).toEqual([
      ["role.set", "admin", "user", "left the team"],
      ["role.set", "user", "admin", "new support lead"],
    ]);
    expect(audit[0].actor).toEqual({ uid: "superadmin_test", role: "superadmin", via: "id-token" });
    expect(Date.parse(audit[0].at)).toBeGreaterThan(Date.parse(audit[1].at));
  });

  it("pages the audit log with opaque cursors", async () => {
    const dave = await createTestUser({ credits: 0 });
    for (let i = 0; i < 3; i++) await callFunction("grantCredits", { token: admin, body: { userId: dave.uid, amount: i + 1, reason: `grant ${i}` } });
    const first = await callFunction("listAuditLog", { token: admin, query: { userId: dave.uid, limit: 2 } });
    expect(first.body.entries.map((e: any) => e.reason)).toEqual(["grant 2", "grant 1"]);
    const second = await callFunction("listAuditLog", { token: admin, query: { userId: dave.uid, limit: 2, cursor: first.body.nextCursor } });
    expect(second.body).toMatchObject({ entries: [expect.objectContaining({ reason: "grant 0" })], nextCursor: null });
    expect((await callFunction("listAuditLog", { token: admin, query: { cursor: "not-a-cursor" } })).status).toBe(400);
  });
});

describe("listUsers", () => {
  it("lets admins page through users, optionally by role; users may not", async () => {
    expect((await callFunction("listUsers", { token: (await createTestUser({ credits: 0 })).token })).status).toBe(403);
    const supers = await callFunction("listUsers", { token: admin, query: { role: "superadmin", limit: 100 } });
    expect(supers.body.users).toEqual(expect.arrayContaining([{ userId: "superadmin_test", email: "superadmin@example.com", role: "superadmin", credits: 100, createdAt: "2026-01-05T00:00:00.000Z", updatedAt: expect.any(String) }]));
    expect(supers.body.users.every((u: { role: string }) => u.role === "superadmin")).toBe(true);
    const first = await callFunction("listUsers", { token: admin, query: { limit: 2 } });
    const second = await callFunction("listUsers", { token: admin, query: { limit: 2, cursor: first.body.nextCursor } });
    expect(first.body.users).toHaveLength(2);
    const ids = [...first.body.users, ...second.body.users].map((u: { userId: string }) => u.userId);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await callFunction("listUsers", { token: admin, query: { role: "owner" } })).body.error.details.fields[0].path).toBe("role");
  });
});

describe("bootstrap-superadmin script", () => {
  const script = path.join(__dirname, "../../../scripts/bootstrap-superadmin.mjs");

  it("refuses while a superadmin exists, promotes with --force, and audits the CLI as the actor", async () => {
    const erin = await createTestUser({ credits: 0 });
    const refused = await run(process.execPath, [script, "--emulator", "--email", erin.email]).then(() => null, (e) => e);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/superadmin\(s\) already exist: .*superadmin_test/);
    const usage = await run(process.execPath, [script, "--email", erin.email]).then(() => null, (e) => e);
    expect(usage.stderr).toContain("usage: bootstrap-superadmin");

    const { stdout } = await run(process.execPath, [script, "--emulator", "--email", erin.email, "--force", "--reason", "second on-call"]);
    expect(stdout).toContain("is now superadmin");
    expect((await auth().getUser(erin.uid)).customClaims).toMatchObject({ role: "superadmin" });
    const entries = (await db().collection("auditLog").where("target.userId", "==", erin.uid).get()).docs.map((d) => d.data());
    expect(entries).toEqual([expect.objectContaining({ action: "role.set", reason: "second on-call", actor: expect.objectContaining({ via: "cli", role: "superadmin" }) })]);
    // The new superadmin can use setUserRole at once after signing in.
    const token = await signIn(erin.email);
    const made = await callFunction("setUserRole", { token, body: { userId: (await createTestUser({ credits: 0 })).uid, role: "admin", reason: "first hire" } });
    expect(made.status).toBe(200);
  });
});
