// Issue 12 items 2, 5 and 10 on the create path, over HTTP where the defect was seen.
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { callFunction, createTestUser, db, ledgerState, signIn } from "../../../test-support/emulator";
import { ApiError } from "../../src/http/errors";
import { firestore } from "../../src/shared/firestore";
import { isContention, runMoneyTransaction } from "../../src/shared/transaction";

const STAGING = { model: "staging", style: "scandinavian", color: "muted", size: "512x512", prompt: "furnish this empty living room" };
const storageDir = process.env.LOCAL_STORAGE_DIR!;

async function pngDataUrl(rgb: { r: number; g: number; b: number }, width = 320, height = 240) {
  const buf = await sharp({ create: { width, height, channels: 3, background: rgb } }).png().toBuffer();
  return `data:image/png;base64,${buf.toString("base64")}`;
}

const sha256Of = (file: string) => require("node:crypto").createHash("sha256").update(fs.readFileSync(file)).digest("hex");

describe("item 2: reusing an idempotency key never touches the original's input image", () => {
  it("a 409 replay with another image or prompt leaves the paid original's image intact", async () => {
    const u = await createTestUser({ credits: 20, prefix: "img" });
    const body = { ...STAGING, idempotencyKey: "listing-42-room-1", inputImage: await pngDataUrl({ r: 200, g: 30, b: 30 }) };
    const first = await callFunction("createGenerationRequest", { token: u.token, body });
    expect(first.status).toBe(201);
    const doc = (await db().doc(`generationRequests/${first.body.generationRequestId}`).get()).data()!;
    const file = path.join(storageDir, doc.render.inputImagePath);
    expect(sha256Of(file)).toBe(doc.inputImage.sha256);

    const otherImage = await callFunction("createGenerationRequest", { token: u.token, body: { ...body, inputImage: await pngDataUrl({ r: 10, g: 200, b: 10 }) } });
    const otherPrompt = await callFunction("createGenerationRequest", { token: u.token, body: { ...body, prompt: "something else" } });
    expect([otherImage.status, otherPrompt.status]).toEqual([409, 409]);
    // Before the fix the first 409 overwrote the file and the second deleted it.
    expect(fs.existsSync(file)).toBe(true);
    expect(sha256Of(file)).toBe(doc.inputImage.sha256);
    const replay = await callFunction("createGenerationRequest", { token: u.token, body });
    expect(replay.status).toBe(200);
    expect(fs.existsSync(file)).toBe(true);
    const state = await ledgerState(u.uid);
    expect(state.entries.filter((e: any) => e.type === "debit")).toHaveLength(1);
    expect(state.credits).toBe(state.ledgerSum);
  });
});

describe("item 10: cheap checks before the decode, refusals counted", () => {
  it("an empty account's creates with images are refused before any decode or write, and then rate limited", async () => {
    const u = await createTestUser({ credits: 0, prefix: "img0" });
    const admin = await signIn("admin@example.com");
    const key = await callFunction("createApiKey", { token: admin, body: { userId: u.uid, name: "spammer", ratePerMinute: 3, scopes: ["generate"] } });
    expect(key.status).toBe(201);
    const body = { ...STAGING, inputImage: await pngDataUrl({ r: 1, g: 2, b: 3 }) };
    const statuses: Array<[number, string]> = [];
    for (let i = 0; i < 5; i++) {
      const res = await callFunction("createGenerationRequest", { apiKey: key.body.key, body });
      statuses.push([res.status, res.body.error?.code]);
    }
    expect(statuses).toEqual([
      [402, "INSUFFICIENT_CREDITS"], [402, "INSUFFICIENT_CREDITS"], [402, "INSUFFICIENT_CREDITS"],
      [429, "RATE_LIMITED"], [429, "RATE_LIMITED"],
    ]);
    expect(fs.existsSync(path.join(storageDir, "inputs", u.uid))).toBe(false);
    expect((await ledgerState(u.uid)).credits).toBe(0);
  });
});

describe("item 5: contention that outlasts the retry bound is a clear retryable error", () => {
  const aborted = () => Object.assign(new Error("10 ABORTED: Transaction lock timeout"), { code: 10 });

  it("maps exhausted attempts to 503 UNAVAILABLE with Retry-After, not a code-less error", async () => {
    let attempts = 0;
    const run = runMoneyTransaction(firestore(), async (tx) => {
      attempts++;
      await tx.get(firestore().doc("users/contention-probe"));
      throw aborted();
    }, { maxAttempts: 2 });
    const err = await run.catch((e) => e);
    expect(attempts).toBe(2);
    expect(err).toBeInstanceOf(ApiError);
    expect({ code: err.code, status: err.status, retry: err.details.retryAfterSeconds }).toEqual({ code: "UNAVAILABLE", status: 503, retry: 2 });
  });

  it("runs a transaction the server closed under it again (nothing was committed), then succeeds", async () => {
    let runs = 0;
    const result = await runMoneyTransaction(firestore(), async (tx) => {
      runs++;
      await tx.get(firestore().doc("users/closed-probe"));
      if (runs === 1) throw Object.assign(new Error("3 INVALID_ARGUMENT: Transaction is invalid or closed."), { code: 3 });
      return "ok";
    });
    expect({ result, runs }).toEqual({ result: "ok", runs: 2 });
  });

  it("recognises the SDK's own give-up error, and leaves real errors alone", () => {
    expect(isContention(new Error("Exceeded maximum number of retries allowed."))).toBe(true);
    expect(isContention(aborted())).toBe(true);
    expect(isContention(new ApiError("INSUFFICIENT_CREDITS", "no"))).toBe(false);
    expect(isContention(new TypeError("x is undefined"))).toBe(false);
  });
});
