// Budgets never overshoot: the check runs in the debit's own commit, so 50 parallel creates by a
// member with a 20-credit daily budget land exactly 20, whatever the interleaving.
import { callFunction, db } from "../../../test-support/emulator";
import { CAT, fundOrg, join, newOrg, orgLedger, verifiedUser } from "./helpers";

describe("organisation budgets", () => {
  it("lets exactly 20 of 50 parallel creates through a 20-credit daily budget, and a refund gives the budget back", async () => {
    const [owner, member] = await Promise.all([verifiedUser(), verifiedUser()]);
    const orgId = await newOrg(owner);
    await join(orgId, owner, member, "member");
    await fundOrg(orgId, 100);
    const set = await callFunction("setBudget", { token: owner.token, body: { orgId, uid: member.uid, period: "day", credits: 20 } });
    expect(set.status).toBe(200);
    expect((await callFunction("setBudget", { token: member.token, body: { orgId, uid: member.uid, period: "day", credits: 99 } })).status).toBe(403);

    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => callFunction("createGenerationRequest", { token: member.token, body: { ...CAT, prompt: `cat ${i}`, orgId } })));
    const created = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 402);
    expect(created).toHaveLength(20);
    expect(refused).toHaveLength(30);
    expect(new Set(refused.map((r) => r.body.error.code))).toEqual(new Set(["BUDGET_EXCEEDED"]));
    expect(refused[0].body.error.details).toMatchObject({ limit: 20, used: 20, period: "day" });
    expect(Date.parse(refused[0].body.error.details.resetsAt)).toBeGreaterThan(Date.now());
    expect(await orgLedger(orgId)).toMatchObject({ credits: 80, ledgerSum: 80 });
    const member0 = await db().doc(`orgs/${orgId}/members/${member.uid}`).get();
    expect(member0.get("budgetUsed.used")).toBe(20);

    const cancel = await callFunction("cancelGenerationRequest", { token: member.token, body: { id: created[0].body.generationRequestId } });
    expect(cancel.status).toBe(200);
    expect((await db().doc(`orgs/${orgId}/members/${member.uid}`).get()).get("budgetUsed.used")).toBe(19);
    const again = await callFunction("createGenerationRequest", { token: member.token, body: { ...CAT, prompt: "after refund", orgId } });
    expect(again.status).toBe(201);
    const listed = await callFunction("listMembers", { token: owner.token, query: { orgId } });
    expect(listed.body.members.find((m: { uid: string }) => m.uid === member.uid).usage).toMatchObject({ used: 20, limit: 20 });
  });

  it("holds a member budget exactly with batches racing single creates", async () => {
    const [owner, member] = await Promise.all([verifiedUser(), verifiedUser()]);
    const orgId = await newOrg(owner);
    await join(orgId, owner, member, "member");
    await fundOrg(orgId, 200);
    await callFunction("setBudget", { token: owner.token, body: { orgId, uid: member.uid, period: "month", credits: 20 } });
    const batch = (n: number) => callFunction("createGenerationRequests", { token: member.token, body: { requests: Array.from({ length: 10 }, (_, i) => ({ ...CAT, prompt: `b${n}-${i}`, orgId })) } });
    const single = (i: number) => callFunction("createGenerationRequest", { token: member.token, body: { ...CAT, prompt: `s${i}`, orgId } });
    const answers = await Promise.all([batch(1), batch(2), batch(3), ...Array.from({ length: 10 }, (_, i) => single(i))]);
    const batchCreated = answers.slice(0, 3).reduce((s, r) => s + r.body.summary.created, 0);
    const singleCreated = answers.slice(3).filter((r) => r.status === 201).length;
    expect(batchCreated + singleCreated).toBe(20);
    expect(await orgLedger(orgId)).toMatchObject({ credits: 180, ledgerSum: 180 });
  });
});
