// exportUserData over HTTP: a seeded user's requests, ledger, keys and webhook deliveries, each
// exactly once across pages, with download URLs that work; never a key hash; someone else's data
// only for an admin; bad cursors 400.
import { callFunction, createTestUser, db, signIn } from "../../../test-support/emulator";
import { CAT, createRequest, finishWithOutputs, startFileServer, type FileServer } from "./fixtures";

let files: FileServer;
beforeAll(async () => { files = await startFileServer(); });
afterAll(() => files.close());

async function exportAll(token: string, limit: number, userId?: string) {
  const pages = [];
  let cursor: string | undefined;
  do {
    const res = await callFunction("exportUserData", { token, query: { limit, cursor, userId } });
    expect(res.status).toBe(200);
    pages.push(res.body);
    cursor = res.body.nextCursor ?? undefined;
  } while (cursor);
  return pages;
}

const ids = (items: Array<{ id: string }>) => items.map((i) => i.id);

describe("exportUserData", () => {
  it("contains every request, ledger entry, key and delivery exactly once, across pages of any size", async () => {
    const u = await createTestUser({ credits: 30, prefix: "export" });
    const admin = await signIn("admin@example.com");
    const requestIds: string[] = [];
    for (let i = 0; i < 7; i++) requestIds.push(await createRequest(u.token, { ...CAT, prompt: `picture ${i}` }));
    await finishWithOutputs(requestIds[0], u.uid, 2);
    const keys: string[] = [];
    for (const name of ["ci", "farm"]) keys.push((await callFunction("createApiKey", { token: admin, body: { userId: u.uid, name } })).body.keyId);
    for (const n of [1, 2]) await db().doc(`webhookDeliveries/export-${u.uid}-${n}`).set({ requestId: requestIds[n], userId: u.uid, url: "https://hooks.example.com/x", attempts: 1, lastStatus: 200, lastError: null, deliveredAt: new Date(), updatedAt: new Date() });
    const ledger = (await db().collection(`users/${u.uid}/ledger`).get()).docs.map((d) => d.id);
    expect(ledger).toHaveLength(8);

    for (const limit of [3, 5, 100]) {
      const pages = await exportAll(u.token, limit);
      const all = (k: "requests" | "ledger" | "webhookDeliveries") => pages.flatMap((p) => p[k]);
      expect(pages.every((p) => p.requests.length + p.ledger.length + p.webhookDeliveries.length + p.customModels.length <= limit)).toBe(true);
      expect(ids(all("requests")).sort()).toEqual([...requestIds].sort());
      expect(ids(all("ledger")).sort()).toEqual([...ledger].sort());
      expect(ids(all("webhookDeliveries")).sort()).toEqual([`export-${u.uid}-1`, `export-${u.uid}-2`]);
      // The head comes once, on the first page.
      expect(pages[0].profile).toMatchObject({ userId: u.uid, email: u.email, credits: 23 });
      expect(ids(pages[0].apiKeys.map((k: any) => ({ id: k.keyId }))).sort()).toEqual([...keys].sort());
      expect(pages.slice(1).every((p) => p.profile === null && p.apiKeys === null && p.grants === null)).toBe(true);
      // The grants the credits live in, once each: what remains of them is the balance.
      const grantIds = pages[0].grants.map((g: any) => g.id);
      expect(new Set(grantIds).size).toBe(grantIds.length);
      expect(pages[0].grants.reduce((sum: number, g: any) => sum + g.remaining, 0)).toBe(23);
      expect(pages[0].profile.plan).toMatchObject({ id: "free" });
      expect(JSON.stringify(pages)).not.toMatch(/"hash"/);
    }
    const [first] = await exportAll(u.token, 100);
    const finished = first.requests.find((r: any) => r.id === requestIds[0]);
    expect(finished.outputs).toHaveLength(2);
    expect(await files.fetch(finished.outputs[0].url)).toBe(200);
    expect(first.requests.find((r: any) => r.id === requestIds[3]).prompt).toBe("picture 3");
  });

  it("someone else's data only for an admin; keys refused; bad cursors 400", async () => {
    const u = await createTestUser({ credits: 2, prefix: "export" });
    const other = await createTestUser({ credits: 2, prefix: "export" });
    await createRequest(u.token);
    const denied = await callFunction("exportUserData", { token: other.token, query: { userId: u.uid } });
    expect(denied.status).toBe(403);
    const admin = await signIn("admin@example.com");
    const pages = await exportAll(admin, 50, u.uid);
    expect(pages[0].profile.userId).toBe(u.uid);
    expect(pages.flatMap((p) => p.requests)).toHaveLength(1);
    const key = await callFunction("createApiKey", { token: admin, body: { userId: u.uid, name: "k", scopes: ["read"] } });
    expect((await callFunction("exportUserData", { apiKey: key.body.key })).status).toBe(403);
    for (const cursor of ["garbage", Buffer.from('{"s":9,"c":null}').toString("base64url")]) {
      expect((await callFunction("exportUserData", { token: u.token, query: { cursor } })).status).toBe(400);
    }
    expect((await callFunction("exportUserData", { token: u.token, query: { userId: "a/b" } })).status).toBe(400);
  });
});
