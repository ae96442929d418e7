// Upscale, refine and masks at create time: priced from the catalog (sizes × upscale multiplier),
// carried to the runner in the render spec, and every bad input refused with nothing charged.
import sharp from "sharp";
import { callFunction, createTestUser, db, ledgerState } from "../../../test-support/emulator";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space" };
const STAGING = { model: "staging", style: "scandinavian", color: "muted", size: "512x512", prompt: "furnish this empty living room" };

async function dataUrl(format: "png" | "gif" | "webp", width: number, height: number, half = false) {
  const px = Buffer.alloc(width * height * 3, 0);
  if (half) for (let i = 0; i < width * height; i++) if (i % width < width / 2) px.fill(255, i * 3, i * 3 + 3);
  const buf = await sharp(px, { raw: { width, height, channels: 3 } }).toFormat(format).toBuffer();
  return `data:image/${format};base64,${buf.toString("base64")}`;
}

let user: { uid: string; token: string };
beforeAll(async () => {
  user = await createTestUser({ credits: 200 });
});
afterAll(async () => {
  const state = await ledgerState(user.uid);
  expect(state.credits).toBe(state.ledgerSum);
});

const create = (body: unknown) => callFunction("createGenerationRequest", { token: user.token, body });
const requestDoc = async (id: string) => (await db().doc(`generationRequests/${id}`).get()).data()!;

describe("upscale and refine", () => {
  it.each([
    // seed catalog: A is 1 credit per image; x2 multiplies by 2 (3 with refine), x4 by 4 (8 with refine)
    ["upscale 2", { upscale: 2, refine: false }, 1 * 2 * 2],
    ["upscale 2 with refine", { upscale: 2, refine: true }, 1 * 2 * 3],
    ["upscale 4 with refine", { upscale: 4, refine: true }, 1 * 2 * 8],
  ])("%s is priced from the catalog and reaches the runner's render spec", async (_name, extra, price) => {
    const before = (await ledgerState(user.uid)).credits;
    const res = await create({ ...CAT, numImages: 2, ...extra });
    expect(res.status).toBe(201);
    expect(res.body.deductedCredits).toBe(price);
    expect((await ledgerState(user.uid)).credits).toBe(before - price);
    const doc = await requestDoc(res.body.generationRequestId);
    expect(doc.upscale).toBe(extra.upscale);
    expect(doc.refine).toBe(Boolean(extra.refine));
    expect(doc.render.upscale).toMatchObject({ factor: extra.upscale, model: extra.upscale === 2 ? "RealESRGAN_x2plus.pth" : "RealESRGAN_x4plus.pth" });
    if (extra.refine) expect(doc.render.upscale.refine).toEqual({ denoise: 0.35, steps: 10 });
    else expect(doc.render.upscale.refine).toBeUndefined();
  });

  it("batch items take upscale too, each priced on its own", async () => {
    const res = await callFunction("createGenerationRequests", { token: user.token, body: { requests: [{ ...CAT, upscale: 4 }, { ...CAT }] } });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { deductedCredits: number }) => r.deductedCredits)).toEqual([4, 1]);
  });
});

describe("masks", () => {
  it("stores a mask of the input's size as a greyscale PNG and hands its path to the runner", async () => {
    const res = await create({ ...STAGING, inputImage: await dataUrl("png", 96, 64), maskImage: await dataUrl("webp", 96, 64, true) });
    expect(res.status).toBe(201);
    expect(res.body.deductedCredits).toBe(2);
    const doc = await requestDoc(res.body.generationRequestId);
    expect(doc.maskImage).toMatchObject({ width: 96, height: 64, sourceFormat: "webp" });
    expect(doc.render.maskImagePath).toBe(`inputs/${user.uid}/${doc.maskImage.sha256}.png`);
    const stored = await sharp(`${process.env.LOCAL_STORAGE_DIR}/${doc.render.maskImagePath}`).metadata();
    expect(stored).toMatchObject({ format: "png", width: 96, height: 64, channels: 1 });
  });
});

describe("bad upscale and mask input: 400 with nothing charged", () => {
  it.each([
    ["upscale 3", { ...CAT, upscale: 3 }, "upscale"],
    ["upscale as a string", { ...CAT, upscale: "2" }, "upscale"],
    ["refine without upscale", { ...CAT, refine: true }, "refine"],
    ["a mask without an input image (text-to-image)", { ...CAT, maskImage: "MASK_96x64" }, "maskImage"],
    ["a mask of the wrong size", { ...STAGING, inputImage: "INPUT_96x64", maskImage: "MASK_64x64" }, "maskImage"],
    ["a mask of the wrong type (GIF)", { ...STAGING, inputImage: "INPUT_96x64", maskImage: "GIF_96x64" }, "maskImage"],
    ["a mask that is not an image", { ...STAGING, inputImage: "INPUT_96x64", maskImage: `data:image/png;base64,${Buffer.from("not a mask").toString("base64")}` }, "maskImage"],
    ["both maskImage and maskUploadId", { ...STAGING, inputImage: "INPUT_96x64", maskImage: "MASK_96x64", maskUploadId: "abc" }, "maskUploadId"],
  ])("%s", async (_name, template, field) => {
    const images: Record<string, () => Promise<string>> = {
      MASK_96x64: () => dataUrl("png", 96, 64, true), MASK_64x64: () => dataUrl("png", 64, 64, true),
      INPUT_96x64: () => dataUrl("png", 96, 64), GIF_96x64: () => dataUrl("gif", 96, 64, true),
    };
    const body: Record<string, unknown> = { ...template };
    for (const k of ["inputImage", "maskImage"]) if (typeof body[k] === "string" && images[body[k] as string]) body[k] = await images[body[k] as string]();
    const before = await ledgerState(user.uid);
    const res = await create(body);
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 400, code: "INVALID_ARGUMENT" });
    expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(field);
    const after = await ledgerState(user.uid);
    expect(after.credits).toBe(before.credits);
    expect(after.ledgerSum).toBe(before.ledgerSum);
  });
});
