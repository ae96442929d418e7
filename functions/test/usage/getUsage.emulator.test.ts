// getUsage over HTTP against what the ledger and the requests say, on a user's own seeded jobs:
// created through the API (with and without a key), some ended failed (refunded by the trigger),
// each ended with the GPU time the runner writes.
import { callFunction, createTestUser, db, ledgerState, signIn } from "../../../test-support/emulator";
import { until } from "../../../test-support/wait";
import { firestore } from "../../src/shared/firestore";
import { countGpuTime } from "../../src/usage/gpuTime";
import { CAT as ORG_CAT, fundOrg, join, newOrg, orgLedger, verifiedUser } from "../orgs/helpers";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space" };

async function seed() {
  const u = await createTestUser({ credits: 100, prefix: "usage" });
  const admin = await signIn("admin@example.com");
  const key = (await callFunction("createApiKey", { token: admin, body: { userId: u.uid, name: "usage test" } })).body;
  const ids: string[] = [];
  for (const [i, n] of [1, 2, 3].entries()) {
    const res = await callFunction("createGenerationRequest", { token: u.token, body: { ...CAT, numImages: n, prompt: `token ${i}` } });
    expect(res.status).toBe(201);
    ids.push(res.body.generationRequestId);
  }
  for (const n of [1, 4]) {
    const res = await callFunction("createGenerationRequest", { apiKey: key.key, body: { ...CAT, numImages: n, prompt: `key ${n}` } });
    expect(res.status).toBe(201);
    ids.push(res.body.generationRequestId);
  }
  // The runner's terminal writes: two failures (refunded by the trigger), the rest succeeded.
  const endings = [
    { status: "succeeded", gpuSeconds: 1.234 }, { status: "failed", gpuSeconds: 0.5, error: { code: "COMFY_EXECUTION_ERROR", message: "x" } },
    { status: "succeeded", gpuSeconds: 2.001 }, { status: "succeeded", gpuSeconds: 0.75 }, { status: "failed", error: { code: "COMFY_TIMEOUT", message: "x" } },
  ];
  await Promise.all(ids.map((id, i) => db().doc(`generationRequests/${id}`).update({ ...endings[i], updatedAt: new Date() })));
  await until("refunds and GPU time counted", async () => {
    const docs = await Promise.all(ids.map((id) => db().doc(`generationRequests/${id}`).get()));
    return docs.every((d) => (d.get("status") !== "failed" || d.get("refunded") === true) && (d.get("gpuSeconds") === undefined || d.get("gpuCounted") === true)) ? docs : undefined;
  }, 60_000);
  return { u, key, ids };
}

describe("getUsage", () => {
  it("agrees with the ledger and the requests, per day, model and key, in JSON and CSV; GPU time counts once", async () => {
    const { u, key, ids } = await seed();
    const requests = (await db().collection("generationRequests").where("userId", "==", u.uid).get()).docs;
    const ledger = (await ledgerState(u.uid)).entries as unknown as { type: string; amount: number }[];
    const expected = {
      requests: requests.length,
      images: requests.reduce((s, d) => s + (d.get("numImages") as number), 0),
      creditsDebited: -ledger.filter((e) => e.type === "debit").reduce((s, e) => s + e.amount, 0),
      creditsRefunded: ledger.filter((e) => e.type === "refund").reduce((s, e) => s + e.amount, 0),
      gpuSeconds: requests.reduce((s, d) => s + Math.round(((d.get("gpuSeconds") as number | undefined) ?? 0) * 1000), 0) / 1000,
    };
    expect(expected).toEqual({ requests: 5, images: 11, creditsDebited: 11, creditsRefunded: 6, gpuSeconds: 4.485 });

    const byDay = await callFunction("getUsage", { token: u.token, query: { groupBy: "day" } });
    expect(byDay.status).toBe(200);
    expect(byDay.body.rows).toHaveLength(30);
    expect(byDay.body.totals).toEqual(expected);
    expect(byDay.body.rows.filter((r: any) => r.requests > 0)).toEqual([{ key: byDay.body.to, ...expected }]);

    const byKey = await callFunction("getUsage", { token: u.token, query: { groupBy: "key" } });
    const keyed = requests.filter((d) => d.get("keyId") === key.keyId);
    expect(byKey.body.rows.find((r: any) => r.key === key.keyId)).toMatchObject({ requests: keyed.length, images: 5, creditsDebited: 5, creditsRefunded: 4, gpuSeconds: 0.75 });
    expect(byKey.body.rows.find((r: any) => r.key === "signed-in")).toMatchObject({ requests: 3, images: 6, creditsDebited: 6, creditsRefunded: 2, gpuSeconds: 3.735 });
    const byModel = await callFunction("getUsage", { apiKey: key.key, query: { groupBy: "model" } });
    expect(byModel.body.rows).toEqual([{ key: "A", ...expected }]);

    const csv = await fetch(`${process.env.FUNCTIONS_BASE_URL ?? "http://127.0.0.1:5001/demo-imagegen/us-central1"}/getUsage?groupBy=model&format=csv`, { headers: { authorization: `Bearer ${u.token}` } });
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(csv.headers.get("content-disposition")).toMatch(/attachment; filename="usage-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}-model\.csv"/);
    expect(await csv.text()).toBe(`model,requests,images,creditsDebited,creditsRefunded,gpuSeconds\r\nA,5,11,11,6,4.485\r\n`);

    // A redelivered trigger (or any second call) counts nothing more.
    expect(await countGpuTime(firestore(), db().doc(`generationRequests/${ids[0]}`))).toBe(false);
    expect((await callFunction("getUsage", { token: u.token, query: { groupBy: "member" } })).body.rows).toEqual([{ key: u.uid, ...expected }]);
    // The request view (and so the webhook payload) carries the GPU time.
    expect((await callFunction("getGenerationRequest", { token: u.token, query: { id: ids[0] } })).body.gpuSeconds).toBe(1.234);
  });

  it("refuses bad ranges, unknown groupings, org splits it cannot make and other users' usage, with typed errors", async () => {
    const u = await createTestUser({ credits: 0, prefix: "usage" });
    const other = await createTestUser({ credits: 0, prefix: "usage" });
    const call = (query: Record<string, string>) => callFunction("getUsage", { token: u.token, query });
    const code = async (query: Record<string, string>) => {
      const r = await call(query);
      return [r.status, r.body.error?.code];
    };
    expect(await code({ groupBy: "week" })).toEqual([400, "INVALID_ARGUMENT"]);
    expect(await code({ from: "2026-02-30" })).toEqual([400, "INVALID_ARGUMENT"]);
    expect(await code({ from: "2026-11-05", to: "2026-11-01" })).toEqual([400, "INVALID_ARGUMENT"]);
    expect(await code({ from: "2024-01-01", to: "2026-01-01" })).toEqual([400, "INVALID_ARGUMENT"]);
    expect(await code({ orgId: "org_1", groupBy: "model" })).toEqual([404, "NOT_FOUND"]);
    expect(await code({ orgId: "a/b" })).toEqual([400, "INVALID_ARGUMENT"]);
    expect(await code({ userId: other.uid })).toEqual([403, "PERMISSION_DENIED"]);
    // Accepted: a quiet range of one's own wallet.
    const quiet = await call({ from: "2026-11-01", to: "2026-11-03" });
    expect(quiet.status).toBe(200);
    expect(quiet.body).toMatchObject({ userId: u.uid, orgId: null, rows: [{ key: "2026-11-01", requests: 0 }, { key: "2026-11-02" }, { key: "2026-11-03" }] });
  });

  it("an organisation's usage is its wallet's, split per member, for its owners, admins and billing members only", async () => {
    const [owner, member, billing] = await Promise.all([verifiedUser(), verifiedUser(), verifiedUser()]);
    const orgId = await newOrg(owner, "Usage Org");
    await join(orgId, owner, member, "member");
    await join(orgId, owner, billing, "billing");
    await fundOrg(orgId, 20);
    for (const [who, n] of [[member, 1], [member, 2], [owner, 3]] as const) {
      const res = await callFunction("createGenerationRequest", { token: who.token, body: { ...ORG_CAT, orgId, numImages: n, prompt: `org ${n}` } });
      expect(res.status).toBe(201);
    }
    const byMember = await callFunction("getUsage", { token: billing.token, query: { orgId, groupBy: "member" } });
    expect(byMember.status).toBe(200);
    // Equal spends (3 each) come in member id order.
    const expected = [[member.uid, 2, 3, 3], [owner.uid, 1, 3, 3]].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(byMember.body.rows.map((r: any) => [r.key, r.requests, r.images, r.creditsDebited])).toEqual(expected);
    // The rows add up to what the organisation's ledger debited; the members' own wallets saw none of it.
    const ledger = await orgLedger(orgId);
    expect(20 - ledger.credits).toBe(byMember.body.totals.creditsDebited);
    expect((await callFunction("getUsage", { token: member.token, query: {} })).body.totals.creditsDebited).toBe(0);
    const denied = await callFunction("getUsage", { token: member.token, query: { orgId } });
    expect([denied.status, denied.body.error?.code]).toEqual([403, "PERMISSION_DENIED"]);
  });
});
