// Organisations over HTTP: membership, roles and a member's create charging the organisation.
import { callFunction, db, ledgerState } from "../../../test-support/emulator";
import { CAT, fundOrg, join, newOrg, orgLedger, verifiedUser } from "./helpers";

describe("organisations: members and the shared wallet", () => {
  it("runs a three-member organisation: invitations, a refused wrong-email accept, a member's create charging the organisation", async () => {
    const [owner, member, biller, stranger] = await Promise.all([verifiedUser(), verifiedUser(5), verifiedUser(), verifiedUser()]);
    const orgId = await newOrg(owner);
    const inv = await callFunction("inviteMember", { token: owner.token, body: { orgId, email: member.email, role: "member" } });
    expect(inv.status).toBe(201);
    expect(Date.parse(inv.body.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const wrong = await callFunction("acceptInvitation", { token: stranger.token, body: { invitationId: inv.body.invitationId } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe("PERMISSION_DENIED");
    const ok = await callFunction("acceptInvitation", { token: member.token, body: { invitationId: inv.body.invitationId } });
    expect(ok.body).toEqual({ orgId, uid: member.uid, role: "member", replayed: false });
    await join(orgId, owner, biller, "billing");
    await fundOrg(orgId, 30);

    const created = await callFunction("createGenerationRequest", { token: member.token, body: { ...CAT, orgId } });
    expect(created.status).toBe(201);
    expect(created.body.currentCredits).toBe(29);
    const request = await db().doc(`generationRequests/${created.body.generationRequestId}`).get();
    expect({ orgId: request.get("orgId"), userId: request.get("userId") }).toEqual({ orgId, userId: member.uid });
    expect(await orgLedger(orgId)).toMatchObject({ credits: 29, ledgerSum: 29 });
    // The member's own wallet is untouched.
    expect((await ledgerState(member.uid)).credits).toBe(5);

    const members = await callFunction("listMembers", { token: owner.token, query: { orgId } });
    expect(members.body.members.map((m: { role: string }) => m.role).sort()).toEqual(["billing", "member", "owner"]);
    const org = await callFunction("getOrganization", { token: biller.token, query: { orgId } });
    expect(org.body).toMatchObject({ orgId, role: "billing", balance: { currentCredits: 29 } });
    const credits = await callFunction("getUserCredits", { token: biller.token, query: { orgId } });
    expect(credits.body.currentCredits).toBe(29);
    expect((await callFunction("getUserCredits", { token: member.token, query: { orgId } })).status).toBe(403);
    const audit = await db().collection("auditLog").where("target.orgId", "==", orgId).get();
    expect(audit.docs.map((d) => d.get("action")).sort()).toEqual(["credits.grant", "org.create", "org.member.invite", "org.member.invite", "org.member.join", "org.member.join"]);
  });

  it("keeps members to their own: no other member's requests, no other organisation, no member management; a removed member is refused at once", async () => {
    const [owner, a, b, other] = await Promise.all([verifiedUser(), verifiedUser(), verifiedUser(), verifiedUser()]);
    const orgId = await newOrg(owner);
    const otherOrg = await newOrg(other, "Elsewhere");
    await join(orgId, owner, a, "member");
    await join(orgId, owner, b, "member");
    await fundOrg(orgId, 10);
    const mine = await callFunction("createGenerationRequest", { token: a.token, body: { ...CAT, orgId } });
    expect(mine.status).toBe(201);
    const peek = await callFunction("getGenerationRequest", { token: b.token, query: { id: mine.body.generationRequestId } });
    expect(peek.status).toBe(404);
    const foreign = await callFunction("createGenerationRequest", { token: a.token, body: { ...CAT, orgId: otherOrg } });
    expect(foreign.status).toBe(403);
    const invite = await callFunction("inviteMember", { token: a.token, body: { orgId, email: "x@test.example.com", role: "member" } });
    expect(invite.status).toBe(403);
    const demote = await callFunction("setMemberRole", { token: a.token, body: { orgId, uid: owner.uid, role: "member" } });
    expect(demote.status).toBe(403);
    const lastOwner = await callFunction("setMemberRole", { token: owner.token, body: { orgId, uid: owner.uid, role: "admin" } });
    expect(lastOwner.status).toBe(409);

    const removed = await callFunction("removeMember", { token: owner.token, body: { orgId, uid: a.uid } });
    expect(removed.body).toMatchObject({ role: null, previousRole: "member" });
    const after = await callFunction("createGenerationRequest", { token: a.token, body: { ...CAT, orgId } });
    expect(after.status).toBe(403);
    expect(await orgLedger(orgId)).toMatchObject({ credits: 9, ledgerSum: 9 });
  });
});

describe("organisation requests", () => {
  it("shows members their own requests and owners and admins all of the organisation's", async () => {
    const [owner, a, b] = await Promise.all([verifiedUser(), verifiedUser(), verifiedUser()]);
    const orgId = await newOrg(owner);
    await join(orgId, owner, a, "member");
    await join(orgId, owner, b, "admin");
    await fundOrg(orgId, 10);
    const mine = await callFunction("createGenerationRequest", { token: a.token, body: { ...CAT, prompt: "a's", orgId } });
    await callFunction("createGenerationRequest", { token: b.token, body: { ...CAT, prompt: "b's", orgId } });
    const ids = async (token: string) => (await callFunction("listGenerationRequests", { token, query: { orgId } })).body.requests.map((r: { userId: string }) => r.userId).sort();
    expect(await ids(a.token)).toEqual([a.uid]);
    expect(await ids(owner.token)).toEqual([a.uid, b.uid].sort());
    expect(await ids(b.token)).toEqual([a.uid, b.uid].sort());
    expect((await callFunction("getGenerationRequest", { token: b.token, query: { id: mine.body.generationRequestId } })).status).toBe(200);
    expect((await callFunction("listGenerationRequests", { token: (await verifiedUser()).token, query: { orgId } })).status).toBe(403);
  });

  it("lets owners and admins make organisation keys that charge the organisation; members may not", async () => {
    const [owner, member] = await Promise.all([verifiedUser(), verifiedUser(3)]);
    const orgId = await newOrg(owner);
    await join(orgId, owner, member, "member");
    await fundOrg(orgId, 10);
    const refused = await callFunction("createApiKey", { token: member.token, body: { orgId, name: "mine" } });
    expect(refused.status).toBe(403);
    const made = await callFunction("createApiKey", { token: owner.token, body: { orgId, name: "ci" } });
    expect(made.status).toBe(201);
    const created = await callFunction("createGenerationRequest", { apiKey: made.body.key, body: CAT });
    expect(created.status).toBe(201);
    expect((await db().doc(`generationRequests/${created.body.generationRequestId}`).get()).get("orgId")).toBe(orgId);
    expect(await orgLedger(orgId)).toMatchObject({ credits: 9, ledgerSum: 9 });
    const removed = await callFunction("removeMember", { token: owner.token, body: { orgId, uid: owner.uid } });
    expect(removed.status).toBe(409);
  });
});
