// What the training tests share: customModels docs in the shape of the issue-15 contract,
// photos in local storage, and /tasks/train pushes as Cloud Tasks sends them.
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Timestamp } from "firebase-admin/firestore";
import sharp from "sharp";
import { db } from "../../test-support/emulator";
import { LocalStorage } from "../src/storage";
import { SECRET } from "./harness";

export const modelRef = (id: string) => db().collection("customModels").doc(id);
export const modelData = async (id: string) => (await modelRef(id).get()).data()!;
/**
 * Changes a model while a runner is writing its progress. A plain update can meet the runner's
 * transaction holding the document and fail with a contention error (seen as `2 UNKNOWN` on a
 * loaded CI machine); a transaction retries those, as the production writers do.
 */
export const updateModelWhileRunning = (id: string, data: Record<string, unknown>) =>
  db().runTransaction(async (tx) => {
    tx.update(modelRef(id), data);
  });
export const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Distinct small photos, as cm-api copies them to training/{uid}/{id}/{nn}.{ext}. */
export async function storePhotos(storage: LocalStorage, uid: string, id: string, count: number, size = 96): Promise<{ path: string; sha256: string }[]> {
  const photos = [];
  for (let i = 0; i < count; i++) {
    const bytes = await sharp({ create: { width: size + i * 8, height: size, channels: 3, background: { r: (i * 37) % 256, g: 120, b: (i * 91) % 256 } } }).jpeg().toBuffer();
    const p = `training/${uid}/${id}/${String(i + 1).padStart(2, "0")}.jpg`;
    await storage.put(p, bytes, "image/jpeg");
    photos.push({ path: p, sha256: sha256(bytes) });
  }
  return photos;
}

/** A queued customModels doc exactly as cm-api writes it (contract), with `count` photos stored. */
export async function queuedModel(storage: LocalStorage, opts: { count?: number; steps?: number; extra?: Record<string, unknown> } = {}): Promise<{ id: string; uid: string }> {
  const id = `cm_${randomUUID()}`;
  const uid = `train_user_${randomUUID().slice(0, 8)}`;
  const steps = opts.steps ?? 20;
  const photos = await storePhotos(storage, uid, id, opts.count ?? 10);
  const now = Timestamp.now();
  await modelRef(id).set({
    userId: uid, name: "Me", baseModel: "A", subject: "person", triggerWord: "ohwxabcd", status: "queued",
    progress: 0, step: 0, steps, imageCount: photos.length, cost: 5, refunded: false, error: null,
    train: { workflow: "train-lora", steps, seed: 42, caption: "ohwxabcd person", photos },
    lease: null, attempts: 0, lora: null, createdAt: now, updatedAt: now, dispatch: { state: "enqueued", attempts: 1 }, ...opts.extra,
  });
  return { id, uid };
}

export async function pushTrain(runnerUrl: string, customModelId: string, retryCount?: number) {
  const headers: Record<string, string> = { "content-type": "application/json", "x-runner-token": SECRET };
  if (retryCount !== undefined) headers["x-cloudtasks-taskretrycount"] = String(retryCount);
  const res = await fetch(`${runnerUrl}/tasks/train`, { method: "POST", headers, body: JSON.stringify({ customModelId }) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** Resolves with the first snapshot for which `test` holds. */
export function waitForModel(id: string, test: (d: FirebaseFirestore.DocumentData) => boolean): Promise<FirebaseFirestore.DocumentData> {
  return new Promise((resolve) => {
    const stop = modelRef(id).onSnapshot((s) => {
      const d = s.data();
      if (d && test(d)) (stop(), resolve(d));
    });
  });
}

/** Every file under `dir` (relative), [] when it does not exist. */
export const filesUnder = (dir: string) =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))) : [];
