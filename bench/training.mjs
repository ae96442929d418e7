#!/usr/bin/env node
// Training overhead outside the GPU: for a custom model of 10 and 20 photos, the time the runner
// spends before and after the fake ComfyUI's training steps (fetch + EXIF/resize/PNG + upload of
// photos and captions, LoRA download, sha256 + store), from the runner's own milestones
// (`train.succeeded` log line). The fake trains with stepMs=0, so its step time is not counted.
// Runs in the record emulator stack: `npm run bench -- training`.
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { initializeApp } from "firebase-admin/app";
import { getFirestore, Timestamp } from "firebase-admin/firestore";
import { repoRoot } from "../scripts/lib/env.mjs";
import { metric, writePart } from "./lib/results.mjs";

const require = createRequire(import.meta.url);
const lib = path.join(repoRoot, "gpu-runner", "lib");
const sharp = require(require.resolve("sharp", { paths: [lib] }));
const { startRunner } = require(path.join(lib, "app.js"));
const { loadConfig } = require(path.join(lib, "config.js"));
const { createLogger } = require(path.join(lib, "log.js"));
const { LocalStorage } = require(path.join(lib, "storage", "local-storage.js"));
const { startFakeComfy } = require(path.join(repoRoot, "fake-comfyui", "lib", "server.js"));

const REPEATS = Number(process.env.BENCH_REPEATS || 3);
const STEPS = 20;
// A phone-like photo: 12 MP would dominate the machine's minute; 2016x1512 with noise still
// exercises decode + resize to 1024 + PNG encode on every photo.
const PHOTO = { width: 2016, height: 1512 };

const sha256 = (b) => createHash("sha256").update(b).digest("hex");

async function main() {
  const db = getFirestore(initializeApp({ projectId: process.env.GCLOUD_PROJECT }));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-training-"));
  const storage = new LocalStorage(path.join(dir, "storage"));
  const fake = await startFakeComfy({ port: 0, imageMs: 0, baseDir: path.join(dir, "comfy") });
  fake.faults.set({ mode: "none", stepMs: 0 });
  const lines = [];
  const log = createLogger("info", (l) => lines.push(l));
  const runner = await startRunner({
    config: loadConfig({ PORT: "0", COMFY_URL: fake.url, COMFY_BASE_DIR: fake.files.baseDir, LOCAL_STORAGE_DIR: storage.root, RUNNER_SHARED_SECRET: "bench-runner-secret", RUNNER_INSTANCE_ID: "bench-training", COMFY_POLL_INTERVAL_MS: "200" }),
    db, log,
  });
  const photo = await sharp({ create: { ...PHOTO, channels: 3, noise: { type: "gaussian", mean: 128, sigma: 40 } } }).jpeg({ quality: 90 }).toBuffer();
  const cases = [];
  try {
    for (const count of [10, 20]) {
      const runs = [];
      for (let r = 0; r < REPEATS; r++) {
        const id = `bench_cm_${randomUUID()}`;
        const photos = [];
        for (let i = 0; i < count; i++) {
          // Distinct bytes per photo (a trailing comment-free byte flip would break the JPEG): re-encode with a varying quality.
          const bytes = i === 0 ? photo : await sharp(photo).jpeg({ quality: 80 + (i % 15) }).toBuffer();
          const p = `training/bench/${id}/${String(i + 1).padStart(2, "0")}.jpg`;
          await storage.put(p, bytes, "image/jpeg");
          photos.push({ path: p, sha256: sha256(bytes) });
        }
        await db.collection("customModels").doc(id).set({
          userId: "bench", status: "queued", progress: 0, step: 0, steps: STEPS, imageCount: count, attempts: 0, lease: null, createdAt: Timestamp.now(),
          train: { workflow: "train-lora", steps: STEPS, seed: 1, caption: "ohwxbnch person", photos },
        });
        const t0 = Date.now();
        const res = await fetch(`${runner.url}/tasks/train`, { method: "POST", headers: { "content-type": "application/json", "x-runner-token": "bench-runner-secret" }, body: JSON.stringify({ customModelId: id }) });
        const wall = Date.now() - t0;
        const body = await res.json();
        if (body.result !== "ready") throw new Error(`training ${id} ended ${JSON.stringify(body)}`);
        const line = lines.map((l) => JSON.parse(l)).find((l) => l.message === "train.succeeded" && l.customModelId === id);
        const s = line.timings;
        const run = { prepare: s.prepareUploadMs, download: s.downloadMs, store: s.storeMs, train: s.trainMs, wall, overhead: wall - s.trainMs };
        runs.push(run);
        console.error(`[training] ${count} photos run ${r + 1}: ${JSON.stringify(run)}`);
      }
      cases.push({
        label: `${count} photos, ${STEPS} steps`,
        metrics: [
          metric("overhead", "outside training", "ms", runs.map((x) => x.overhead), 0),
          metric("prepare", "fetch+prepare+upload", "ms", runs.map((x) => x.prepare), 0),
          metric("download", "LoRA download", "ms", runs.map((x) => x.download), 1),
          metric("store", "sha256+store", "ms", runs.map((x) => x.store), 1),
          metric("train", "fake training (stepMs 0)", "ms", runs.map((x) => x.train), 0),
        ],
      });
    }
  } finally {
    await runner.shutdown();
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const result = {
    name: "training",
    title: "Training overhead (runner, outside the GPU)",
    command: "npm run bench -- training",
    repeats: REPEATS,
    workload: `one /tasks/train per run against the Firestore emulator, the fake ComfyUI (stepMs 0, ${STEPS} steps) and local storage; ` +
      `photos ${PHOTO.width}x${PHOTO.height} noisy JPEG → EXIF-applied PNG ≤ 1024 px + caption; overhead = push-to-answer wall time minus ComfyUI's execution span.`,
    cases,
    targets: [],
  };
  writePart(result);
  for (const c of cases) console.log(`${c.label.padEnd(28)} ${c.metrics.map((m) => `${m.label} ${m.median.toFixed(m.digits)} ${m.unit}`).join(" | ")}`);
}

main().then(() => process.exit(0), (e) => (console.error(e), process.exit(1)));
