// Budgets never overshoot: the check runs in the debit's own commit, so 50 parallel creates by a
// member (or a key) with a 20-credit daily budget land exactly 20, whatever the interleaving. The
// 50-wide races run in-process on two Firestore clients (two instances racing each other's
// commits, as the group-commit tests do); the HTTP tests cover the same contract end to end.
import { getFirestore } from "firebase-admin/firestore";
import { initializeApp } from "firebase-admin/app";
import { callFunction, db, PROJECT_ID } from "../../../test-support/emulator";
import type { Caller } from "../../src/auth/caller";
import { createGenerationRequest } from "../../src/requests/create";
import { firestore } from "../../src/shared/firestore";
import { CAT, fundOrg, join, newOrg, orgLedger, verifiedUser, type TestUser } from "./helpers";

const second = getFirestore(initializeApp({ projectId: PROJECT_ID }, `org-instance-b-${Date.now()}`));
const instances = [firestore(), second];
const codeOf = (err: unknown) => String((err as { code?: unknown }).code);
const memberCaller = (uid: string): Caller => ({ uid, role: "user", via: "id-token" });

async function orgWithMember(funds: number) {
  const [owner, member] = await Promise.all([verifiedUser(), verifiedUser()]);
  const orgId = await newOrg(owner);
  await join(orgId, owner, member, "member");
  await fundOrg(orgId, funds);
  return { owner, member, orgId };
}

async function orgKey(owner: TestUser, orgId: string) {
  const r = await callFunction("createApiKey", { token: owner.token, body: { orgId, name: "render farm", scopes: ["generate", "read"], ratePerMinute: 1000, maxConcurrentCreates: 100 } });
  if (r.status !== 201) throw new Error(`createApiKey: ${r.status} ${JSON.stringify(r.body)}`);
  return { keyId: r.body.keyId as string, key: r.body.key as string, caller: { uid: owner.uid, role: "user", via: "api-key", key: { keyId: r.body.keyId, scopes: ["generate", "read"], orgId, maxConcurrentCreates: 100 } } as Caller };
}

const race = (caller: Caller, orgId: string, n: number, tag: string) =>
  Promise.all(Array.from({ length: n }, (_, i) => createGenerationRequest(instances[i % 2], caller, { ...CAT, prompt: `${tag} ${i}`, orgId }).then(() => "created", codeOf)));

describe("organisation budgets", () => {
  it("lets exactly 20 of 50 parallel creates by a member through a 20-credit daily budget", async () => {
    const { owner, member, orgId } = await orgWithMember(100);
    expect((await callFunction("setBudget", { token: owner.token, body: { orgId, uid: member.uid, period: "day", credits: 20 } })).status).toBe(200);
    const outcomes = await race(memberCaller(member.uid), orgId, 50, "member");
    expect(outcomes.filter((o) => o === "created")).toHaveLength(20);
    expect(outcomes.filter((o) => o !== "created")).toEqual(Array(30).fill("BUDGET_EXCEEDED"));
    expect(await orgLedger(orgId)).toMatchObject({ credits: 80, ledgerSum: 80 });
    expect((await db().doc(`orgs/${orgId}/members/${member.uid}`).get()).get("budgetUsed.used")).toBe(20);
    // Each threshold crossed once under the race, shown by getOrganization.
    const org = await callFunction("getOrganization", { token: owner.token, query: { orgId } });
    expect(org.body.notices.map((x: { type: string; message: string }) => `${x.type} ${/reached (\d+) %/.exec(x.message)?.[1]}`).sort()).toEqual(["budget.threshold 100", "budget.threshold 50", "budget.threshold 80"]);
  });

  it("lets exactly 20 of 50 parallel creates by an organisation key through its 20-credit budget", async () => {
    const { owner, orgId } = await orgWithMember(100);
    const key = await orgKey(owner, orgId);
    expect((await callFunction("setBudget", { token: owner.token, body: { orgId, keyId: key.keyId, period: "day", credits: 20 } })).status).toBe(200);
    const outcomes = await race(key.caller, orgId, 50, "key");
    expect(outcomes.filter((o) => o === "created")).toHaveLength(20);
    expect(outcomes.filter((o) => o !== "created")).toEqual(Array(30).fill("BUDGET_EXCEEDED"));
    expect(await orgLedger(orgId)).toMatchObject({ credits: 80, ledgerSum: 80 });
  });

  it("holds a member's and a key's budgets together, over HTTP, with batches racing single creates", async () => {
    const { owner, member, orgId } = await orgWithMember(200);
    const key = await orgKey(owner, orgId);
    await callFunction("setBudget", { token: owner.token, body: { orgId, uid: member.uid, period: "month", credits: 12 } });
    await callFunction("setBudget", { token: owner.token, body: { orgId, keyId: key.keyId, period: "day", credits: 9 } });
    const batch = (auth: { token?: string; apiKey?: string }, tag: string) =>
      callFunction("createGenerationRequests", { ...auth, body: { requests: Array.from({ length: 8 }, (_, i) => ({ ...CAT, prompt: `${tag}-${i}`, orgId })) } });
    const single = (auth: { token?: string; apiKey?: string }, tag: string) => callFunction("createGenerationRequest", { ...auth, body: { ...CAT, prompt: tag, orgId } });
    const asMember = { token: member.token };
    const asKey = { apiKey: key.key };
    const answers = await Promise.all([batch(asMember, "m1"), batch(asMember, "m2"), batch(asKey, "k1"), batch(asKey, "k2"), single(asMember, "m"), single(asKey, "k")]);
    const createdIn = (rs: { status: number; body: any }[]) => rs.reduce((s, r) => s + (r.body.summary ? r.body.summary.created : r.status === 201 ? 1 : 0), 0);
    expect(createdIn([answers[0], answers[1], answers[4]])).toBe(12);
    expect(createdIn([answers[2], answers[3], answers[5]])).toBe(9);
    const refusals = answers.flatMap((r) => (r.body.results ?? [r.body]).filter((x: { error?: unknown }) => x.error).map((x: { error: { code: string } }) => x.error.code));
    expect(new Set(refusals)).toEqual(new Set(["BUDGET_EXCEEDED"]));
    expect(await orgLedger(orgId)).toMatchObject({ credits: 179, ledgerSum: 179 });
  });

  it("answers 402 BUDGET_EXCEEDED with limit, used, period and resetsAt; a refund gives the budget back", async () => {
    const { owner, member, orgId } = await orgWithMember(50);
    await callFunction("setBudget", { token: owner.token, body: { orgId, uid: member.uid, period: "day", credits: 2 } });
    expect((await callFunction("setBudget", { token: member.token, body: { orgId, uid: member.uid, period: "day", credits: 99 } })).status).toBe(403);
    const first = await callFunction("createGenerationRequest", { token: member.token, body: { ...CAT, prompt: "one", orgId } });
    await callFunction("createGenerationRequest", { token: member.token, body: { ...CAT, prompt: "two", orgId } });
    const over = await callFunction("createGenerationRequest", { token: member.token, body: { ...CAT, prompt: "three", orgId } });
    expect(over.status).toBe(402);
    expect(over.body.error.code).toBe("BUDGET_EXCEEDED");
    expect(over.body.error.details).toMatchObject({ limit: 2, used: 2, period: "day" });
    expect(Date.parse(over.body.error.details.resetsAt)).toBeGreaterThan(Date.now());
    expect((await callFunction("cancelGenerationRequest", { token: member.token, body: { id: first.body.generationRequestId } })).status).toBe(200);
    const members = await callFunction("listMembers", { token: owner.token, query: { orgId } });
    expect(members.body.members.find((m: { uid: string }) => m.uid === member.uid).usage).toMatchObject({ used: 1, limit: 2 });
    expect((await callFunction("createGenerationRequest", { token: member.token, body: { ...CAT, prompt: "after the refund", orgId } })).status).toBe(201);
    expect(await orgLedger(orgId)).toMatchObject({ credits: 48, ledgerSum: 48 });
  });
});
