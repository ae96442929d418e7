// Every bad input gets a clear error with a stable code, and never moves a credit.
import sharp from "sharp";
import { callFunction, createTestUser, db, ledgerState } from "../../../test-support/emulator";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space" };
const STAGING = { model: "staging", style: "scandinavian", color: "muted", size: "512x512", prompt: "furnish this empty living room" };

async function dataUrl(format: "png" | "jpeg" | "webp" | "gif", width = 256, height = 192, orientation?: number) {
  let img = sharp({ create: { width, height, channels: 3, background: { r: 200, g: 120, b: 40 } } });
  if (orientation) img = img.withMetadata({ orientation });
  const buf = await img.toFormat(format).toBuffer();
  return `data:image/${format};base64,${buf.toString("base64")}`;
}

let user: { uid: string; token: string };
beforeAll(async () => {
  user = await createTestUser({ credits: 50 });
});

/** Refused with `status`/`code` (naming `field`), and no money moved: same balance, no new ledger entry. */
async function expectRejected(body: unknown, status: number, code: string, field?: string) {
  const before = await ledgerState(user.uid);
  const res = await callFunction("createGenerationRequest", { token: user.token, body });
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  if (field) expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(field);
  expect(typeof res.body.error.message).toBe("string");
  const after = await ledgerState(user.uid);
  expect([after.credits, after.entries.length]).toEqual([before.credits, before.entries.length]);
  return res;
}

afterAll(async () => {
  // Not one of the rejected calls may have moved money.
  const state = await ledgerState(user.uid);
  expect(state.credits).toBe(state.ledgerSum);
});

describe("createGenerationRequest rejects bad input without charging", () => {
  const before = async () => (await ledgerState(user.uid)).credits;

  it.each([
    ["numImages as a string", { ...CAT, numImages: "2" }, "numImages"],
    ["numImages 0", { ...CAT, numImages: 0 }, "numImages"],
    ["numImages 5", { ...CAT, numImages: 5 }, "numImages"],
    ["numImages fractional", { ...CAT, numImages: 1.5 }, "numImages"],
    ["prompt missing", { ...CAT, prompt: undefined }, "prompt"],
    ["prompt empty", { ...CAT, prompt: "   " }, "prompt"],
    ["prompt too long", { ...CAT, prompt: "x".repeat(2001) }, "prompt"],
    ["negativePrompt too long", { ...CAT, negativePrompt: "x".repeat(1001) }, "negativePrompt"],
    ["prompt as a number", { ...CAT, prompt: 42 }, "prompt"],
    ["unknown key", { ...CAT, steps: 80 }, "request"],
    ["seed negative", { ...CAT, seed: -1 }, "seed"],
    ["seed too large", { ...CAT, seed: 2 ** 40 }, "seed"],
    ["idempotencyKey too short", { ...CAT, idempotencyKey: "abc" }, "idempotencyKey"],
    ["webhookUrl not a URL", { ...CAT, webhookUrl: "not a url" }, "webhookUrl"],
    ["webhookUrl plain http to a public host", { ...CAT, webhookUrl: "http://example.com/hook" }, "webhookUrl"],
    ["model with a path in it", { ...CAT, model: "../A" }, "model"],
  ])("%s → 400 INVALID_ARGUMENT", async (_name, body, field) => {
    const credits = await before();
    await expectRejected(body, 400, "INVALID_ARGUMENT", field);
    expect(await before()).toBe(credits);
  });

  it.each([
    ["unknown model", { ...CAT, model: "Z" }, "model"],
    ["disabled model", { ...CAT, model: "legacy" }, "model"],
    ["disabled style", { ...CAT, style: "vaporwave" }, "style"],
    ["unknown color", { ...CAT, color: "plaid" }, "color"],
    ["disabled size", { ...CAT, size: "2048x2048" }, "size"],
  ])("%s → 400 naming the field and the allowed ids", async (_name, body, field) => {
    const res = await expectRejected(body, 400, "INVALID_ARGUMENT", field);
    expect(res.body.error.message).toMatch(new RegExp(`^${field}:`));
    expect(Array.isArray(res.body.error.details.allowed)).toBe(true);
  });

  it("rejects a body that is not JSON", async () => {
    const res = await callFunction("createGenerationRequest", { token: user.token, body: "model=A", headers: { "content-type": "text/plain" } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("INVALID_ARGUMENT");
  });

  it("rejects the wrong method", async () => {
    const res = await callFunction("createGenerationRequest", { token: user.token, method: "GET" });
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe("METHOD_NOT_ALLOWED");
  });
});

describe("authentication", () => {
  it.each([
    ["no credentials", {}],
    ["a malformed Authorization header", { headers: { authorization: "Token abc" } }],
    ["a forged ID token", { token: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbl90ZXN0Iiwicm9sZSI6ImFkbWluIn0.c2lnbmF0dXJl" }],
    ["an unknown API key", { apiKey: "igk_not-a-real-key" }],
  ])("%s → 401 UNAUTHENTICATED", async (_name, opts) => {
    const res = await callFunction("createGenerationRequest", { ...opts, body: CAT });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("UNAUTHENTICATED");
  });

  it("refuses admin endpoints to users", async () => {
    const res = await callFunction("grantCredits", { token: user.token, body: { userId: user.uid, amount: 100, reason: "free money" } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("PERMISSION_DENIED");
  });
});

describe("input images", () => {
  it.each([
    ["not a data URL", "https://example.com/room.jpg"],
    ["broken base64 payload", "data:image/png;base64,@@@not-base64@@@"],
    ["bytes that are not an image", `data:image/png;base64,${Buffer.from("definitely not a png file").toString("base64")}`],
  ])("%s → 400", async (_name, inputImage) => {
    await expectRejected({ ...STAGING, inputImage }, 400, "INVALID_ARGUMENT", "inputImage");
  });

  it("rejects a truncated PNG", async () => {
    const full = Buffer.from((await dataUrl("png", 512, 512)).split(",")[1], "base64");
    const truncated = full.subarray(0, Math.floor(full.length / 2));
    await expectRejected({ ...STAGING, inputImage: `data:image/png;base64,${truncated.toString("base64")}` }, 400, "INVALID_ARGUMENT", "inputImage");
  });

  it("rejects a format outside the allow-list (GIF)", async () => {
    const res = await expectRejected({ ...STAGING, inputImage: await dataUrl("gif") }, 400, "INVALID_ARGUMENT", "inputImage");
    expect(res.body.error.message).toMatch(/gif/);
  });

  it("rejects too many pixels (decompression bomb guard)", async () => {
    // A flat 5000x4000 PNG compresses to a few KB but is 20 MP, over the 16.7 MP limit.
    const res = await expectRejected({ ...STAGING, inputImage: await dataUrl("png", 5000, 4000) }, 400, "INVALID_ARGUMENT", "inputImage");
    expect(res.body.error.message).toMatch(/pixels/);
  });

  it("rejects an image too small to work with", async () => {
    await expectRejected({ ...STAGING, inputImage: await dataUrl("png", 32, 32) }, 400, "INVALID_ARGUMENT", "inputImage");
  });

  it("rejects more bytes than the limit", async () => {
    const big = `data:image/png;base64,${Buffer.alloc(11 * 1024 * 1024, 1).toString("base64")}`;
    await expectRejected({ ...STAGING, inputImage: big }, 400, "INVALID_ARGUMENT", "inputImage");
  });

  it("requires an image for image-to-image models and refuses one for text-to-image", async () => {
    await expectRejected(STAGING, 400, "INVALID_ARGUMENT", "inputImage");
    await expectRejected({ ...CAT, inputImage: await dataUrl("png") }, 400, "INVALID_ARGUMENT", "inputImage");
  });

  it("accepts a JPEG, applies its EXIF orientation and stores a clean PNG", async () => {
    const credits = (await ledgerState(user.uid)).credits;
    // Orientation 6 = rotate 90°: a 256x192 sensor image is 192x256 upright.
    const res = await callFunction("createGenerationRequest", { token: user.token, body: { ...STAGING, inputImage: await dataUrl("jpeg", 256, 192, 6) } });
    expect(res.status).toBe(201);
    expect(res.body.deductedCredits).toBe(2);
    expect((await ledgerState(user.uid)).credits).toBe(credits - 2);
    const doc = await db().doc(`generationRequests/${res.body.generationRequestId}`).get();
    expect(doc.get("inputImage")).toMatchObject({ width: 192, height: 256, sourceFormat: "jpeg" });
    const path = doc.get("render.inputImagePath") as string;
    expect(path).toBe(`inputs/${user.uid}/${doc.get("inputImage.sha256")}.png`);
    const stored = await sharp(`${process.env.LOCAL_STORAGE_DIR}/${path}`).metadata();
    expect(stored).toMatchObject({ format: "png", width: 192, height: 256 });
    expect(stored.exif).toBeUndefined();
    expect(stored.orientation).toBeUndefined();
  });
});
