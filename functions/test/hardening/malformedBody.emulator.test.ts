// Issue 30: a body that is not JSON, or not valid JSON, is answered on every endpoint over HTTP
// with 400 INVALID_ARGUMENT in the `{error: {code, message}}` envelope: no HTML page, no stack,
// no file paths, whatever the host's body parser made of it.
import { createTestUser, functionsUrl, signIn } from "../../../test-support/emulator";

const POST_ENDPOINTS = ["createGenerationRequest", "createGenerationRequests", "createCustomModel", "createUpload", "grantCredits", "cancelGenerationRequest", "deleteGenerationRequest", "setUserRole", "eraseUser"];

let userToken: string;
let adminToken: string;
beforeAll(async () => {
  userToken = (await createTestUser({ credits: 5, prefix: "body" })).token;
  adminToken = await signIn("admin@example.com");
});

async function post(name: string, body: string, contentType: string, token = userToken) {
  const res = await fetch(functionsUrl(name), { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": contentType, origin: "http://localhost:5000" }, body });
  const text = await res.text();
  return { status: res.status, text, type: res.headers.get("content-type") ?? "", cors: res.headers.get("access-control-allow-origin") };
}

/** The envelope, and nothing that would tell a caller about the machine it runs on. */
function expectEnvelope(r: { status: number; text: string; type: string }, code = "INVALID_ARGUMENT", status = 400) {
  expect(r.type).toMatch(/^application\/json/);
  const body = JSON.parse(r.text);
  expect(Object.keys(body)).toEqual(["error"]);
  expect({ status: r.status, code: body.error.code, message: typeof body.error.message }).toEqual({ status, code, message: "string" });
  expect(r.text).not.toMatch(/<html|<pre|SyntaxError|\bat [\w.]+ \(|node_modules|\/work\/|\.js:\d+/i);
}

describe("malformed and non-JSON bodies", () => {
  it.each(POST_ENDPOINTS)("%s: broken JSON under application/json → 400 INVALID_ARGUMENT envelope", async (name) => {
    const r = await post(name, '{"model": "A", "prompt": "a cat", …}', "application/json", name === "grantCredits" || name === "setUserRole" ? adminToken : userToken);
    expectEnvelope(r);
    expect(JSON.parse(r.text).error.message).toBe("request body is not valid JSON");
    // A browser can read the refusal, as it can read every other answer.
    expect(r.cors).toBe("http://localhost:5000");
  });

  it.each([
    ["text/plain", '{"model":"A"}'],
    ["application/x-www-form-urlencoded", "model=A&prompt=cat"],
    ["application/octet-stream", "\u0000\u0001binary"],
    ["application/xml", "<request><model>A</model></request>"],
  ])("createGenerationRequest with Content-Type %s → 400 envelope", async (type, body) => {
    expectEnvelope(await post("createGenerationRequest", body, type));
  });

  it("truncated JSON, a bare string and an unsupported charset are each the envelope", async () => {
    expectEnvelope(await post("createGenerationRequests", '{"requests": [{"model": "A"', "application/json"));
    expectEnvelope(await post("cancelGenerationRequest", '"just a string"', "application/json"));
    expectEnvelope(await post("createGenerationRequest", '{"model":"A"}', "application/json; charset=latin1"));
  });

  it("the Stripe webhook answers broken JSON with the envelope too", async () => {
    const r = await fetch(functionsUrl("stripeWebhook"), { method: "POST", headers: { "content-type": "application/json", "stripe-signature": "t=1,v1=00" }, body: "{not json" });
    expectEnvelope({ status: r.status, text: await r.text(), type: r.headers.get("content-type") ?? "" });
  });
});
