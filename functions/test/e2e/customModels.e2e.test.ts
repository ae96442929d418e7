// Custom models through the whole loop, over HTTP: uploads PUT to the runner's storage route →
// createCustomModel → training queue on the Tasks emulator → runner → the fake's training nodes →
// LoRA stored → ready; then a generation with `customModelId` whose image carries the LoRA's mark;
// then delete, checked on disk. Only ComfyUI is fake.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { LORA_MARK_ROWS, loraMark } from "../../../fake-comfyui/src/lora-mark";
import { callFunction, createTestUser, db, ledgerState } from "../../../test-support/emulator";
import { onDisk, photos, STORAGE_DIR, uploaded } from "../models/helpers";
import { oneRunnerStack, terminal, until } from "./stack";

const origin = `http://127.0.0.1:${Number(process.env.E2E_RUNNER_PORT)}`;
const stack = oneRunnerStack("custom-models-runner");

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
/** Every file under a folder, recursively (empty when it does not exist). */
const filesIn = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : []);

describe("custom models end to end", () => {
  it("trains from 10 uploaded photos (queued → training with progress → ready), generates with the LoRA, then deletes every copy", async () => {
    const u = await createTestUser({ credits: 20, prefix: "cm" });
    const ids = [];
    for (const png of await photos(10, 500)) ids.push(await uploaded(origin, u.token, png));

    // Every committed state of the model document, as a client's listener sees them.
    const seen: Array<{ status: string; progress: number }> = [];
    stack.fake.faults.set({ mode: "none", stepMs: 60 });
    const created = await callFunction("createCustomModel", { token: u.token, body: { name: "Me", baseModel: "A", subject: "person", triggerWord: "ohwxme", steps: 40, imageUploadIds: ids } });
    expect(created.status).toBe(201);
    const modelId = created.body.customModelId as string;
    expect(created.body).toMatchObject({ status: "queued", deductedCredits: 5, currentCredits: 15 });
    const stop = db().doc(`customModels/${modelId}`).onSnapshot((s) => s.exists && seen.push({ status: s.get("status"), progress: s.get("progress") }));
    const ready = await until(`model ${modelId} ready`, async () => {
      const m = (await callFunction("getCustomModel", { token: u.token, query: { id: modelId } })).body;
      return m.status === "ready" || m.status === "failed" ? m : undefined;
    }, 60_000);
    stop();
    stack.fake.faults.set({ mode: "none", stepMs: 10 });
    expect(ready).toMatchObject({ status: "ready", progress: 1, step: 40, steps: 40, imageCount: 10 });
    expect(seen.some((s) => s.status === "training" && s.progress > 0 && s.progress < 1)).toBe(true);

    // The LoRA is in storage under its own hash; the job's ComfyUI folders are gone.
    const lora = (await db().doc(`customModels/${modelId}`).get()).get("lora") as { path: string; sha256: string };
    const loraBytes = fs.readFileSync(path.join(STORAGE_DIR, ...lora.path.split("/")));
    expect(sha256(loraBytes)).toBe(lora.sha256);
    expect(filesIn(path.join(stack.fake.files.baseDir, "input", "imagegen-train"))).toEqual([]);
    expect(filesIn(path.join(stack.fake.files.baseDir, "output")).filter((f) => f.endsWith(".safetensors"))).toEqual([]);

    // Generate with it: the trigger word is in the prompt ComfyUI got, and the image shows the mark.
    const gen = await callFunction("createGenerationRequest", { token: u.token, body: { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "a portrait", customModelId: modelId } });
    expect(gen.status).toBe(201);
    const done = await terminal(gen.body.generationRequestId);
    expect(done.status).toBe("succeeded");
    const { data: px, info } = await sharp(fs.readFileSync(path.join(STORAGE_DIR, ...done.outputs[0].path.split("/")))).raw().toBuffer({ resolveWithObject: true });
    const mark = loraMark(loraBytes, 0.9);
    const o = (Math.floor(LORA_MARK_ROWS / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
    for (const [got, want] of [[px[o], mark.r], [px[o + 1], mark.g], [px[o + 2], mark.b]]) expect(Math.abs(got - want)).toBeLessThanOrEqual(8);
    const prompt = stack.fake.engine.accepted.find((p) => JSON.stringify(p.prompt).includes(`imagegen/${gen.body.generationRequestId}/`))!;
    expect(JSON.stringify(prompt.prompt)).toContain("ohwxme");
    const cached = path.join(stack.fake.files.modelLoras, "imagegen", `${lora.sha256}.safetensors`);
    expect(fs.existsSync(cached)).toBe(true);

    // Money: one training debit, one generation debit, nothing refunded, balance == sum(ledger).
    const state = await ledgerState(u.uid);
    expect(state.credits).toBe(state.ledgerSum);
    expect(state.entries.filter((e: any) => e.type === "debit").map((e: any) => e.requestId).sort()).toEqual([gen.body.generationRequestId, modelId].sort());
    expect(state.entries.filter((e: any) => e.type === "refund")).toEqual([]);

    // The training photos went when training ended (TRAINING_PHOTO_RETENTION_HOURS defaults to 0:
    // the model trigger deletes them and records photosDeletedAt).
    const photoPaths = ((await db().doc(`customModels/${modelId}`).get()).get("train.photos") as Array<{ path: string }>).map((p) => p.path);
    expect(photoPaths).toHaveLength(10);
    await until("the training photos to be deleted", async () => (await db().doc(`customModels/${modelId}`).get()).get("photosDeletedAt") || undefined, 30_000);
    expect(photoPaths.some(onDisk)).toBe(false);
    // Delete: the LoRA gone from storage, the runner's cached copy evicted, tombstone kept.
    expect(onDisk(lora.path)).toBe(true);
    expect((await callFunction("deleteCustomModel", { token: u.token, body: { id: modelId } })).status).toBe(200);
    expect([...photoPaths, lora.path].some(onDisk)).toBe(false);
    await until("the runner to evict its cached copy", async () => !fs.existsSync(cached) || undefined, 30_000);
    expect((await callFunction("getCustomModel", { token: u.token, query: { id: modelId } })).body.status).toBe("deleted");
    expect((await ledgerState(u.uid)).credits).toBe(state.credits);
  });
});
