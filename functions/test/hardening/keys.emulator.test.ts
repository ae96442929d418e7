// Issue 12 items 8 and 9 over HTTP: an API key dies with its Auth account; reading the webhook
// signing secret needs the `webhooks` scope, not `read`.
import { auth, callFunction, createTestUser, signIn } from "../../../test-support/emulator";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space" };
let admin: string;
beforeAll(async () => {
  admin = await signIn("admin@example.com");
});

async function keyFor(uid: string, scopes: string[] = ["generate", "read"]) {
  const res = await callFunction("createApiKey", { token: admin, body: { userId: uid, name: "k", scopes } });
  expect(res.status).toBe(201);
  return res.body.key as string;
}

describe("item 8: API keys do not outlive their user", () => {
  it.each([
    ["disabled", (uid: string) => auth().updateUser(uid, { disabled: true }).then(() => undefined), "account-disabled"],
    ["deleted", (uid: string) => auth().deleteUser(uid), "account-deleted"],
  ])("a key of a %s account is refused for creates and reads, and charges nothing", async (_state, end, reason) => {
    const u = await createTestUser({ credits: 5, prefix: "keyacct" });
    const key = await keyFor(u.uid);
    await end(u.uid);
    const create = await callFunction("createGenerationRequest", { apiKey: key, body: CAT });
    const read = await callFunction("getUserCredits", { apiKey: key });
    for (const res of [create, read]) {
      expect({ status: res.status, code: res.body.error?.code, reason: res.body.error?.details?.reason }).toEqual({ status: 401, code: "UNAUTHENTICATED", reason });
    }
  });
});

describe("item 9: the webhook signing secret needs the webhooks scope", () => {
  it("a read key cannot read or rotate it; a webhooks key can; ID tokens can", async () => {
    const u = await createTestUser({ credits: 0, prefix: "whscope" });
    const readKey = await keyFor(u.uid, ["read"]);
    const generateKey = await keyFor(u.uid, ["generate", "read"]);
    const hooksKey = await keyFor(u.uid, ["webhooks"]);
    for (const apiKey of [readKey, generateKey]) {
      expect((await callFunction("getWebhookSecret", { apiKey })).body.error?.code).toBe("INSUFFICIENT_SCOPE");
      expect((await callFunction("rotateWebhookSecret", { apiKey, body: {} })).body.error?.code).toBe("INSUFFICIENT_SCOPE");
    }
    const viaKey = await callFunction("getWebhookSecret", { apiKey: hooksKey });
    expect(viaKey.status).toBe(200);
    expect((await callFunction("getWebhookSecret", { token: u.token })).body.secret).toBe(viaKey.body.secret);
  });
});
