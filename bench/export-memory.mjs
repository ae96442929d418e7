#!/usr/bin/env node
// Export memory: exportUserData's page builder (functions/lib, the code the endpoint runs) over a
// user with N requests (default 20,000, each with one output, a 200-character prompt and a
// ledger entry), page after page as a client pages through it. Measures the heap after a forced
// GC at every page (what the export retains) and the peak heap and RSS seen, against the same
// process before the export: the bound is per page, not per account. Asserts nothing.
//   npm run bench -- bench/export-memory.mjs      (BENCH_EXPORT_REQUESTS=20000, BENCH_EXPORT_PAGE=200)
// Runs with --expose-gc (re-executes itself) so retained memory is measured, not garbage.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { repoRoot } from "../scripts/lib/env.mjs";

if (!global.gc) {
  process.exit(spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" }).status ?? 1);
}
if (!process.env.FIRESTORE_EMULATOR_HOST) throw new Error("run through `npm run bench -- bench/export-memory.mjs` (needs the Firestore emulator)");

const N = Number(process.env.BENCH_EXPORT_REQUESTS || 20_000);
const PAGE = Number(process.env.BENCH_EXPORT_PAGE || 200);
const require = createRequire(path.join(repoRoot, "functions", "package.json"));
const { firestore } = require("./lib/shared/firestore.js");
const { storage } = require("./lib/storage/storage.js");
const { exportPage } = require("./lib/lifecycle/export.js");
const MB = (b) => (b / 1048576).toFixed(1);

async function seed(db, uid) {
  const t0 = Date.now();
  const prompt = "a bright scandinavian living room with oak floors, a grey sofa, plants by the window, soft morning light, ".repeat(2).slice(0, 200);
  for (let i = 0; i < N; i += 250) {
    const batch = db.batch();
    for (let j = i; j < Math.min(N, i + 250); j++) {
      const id = `bench-export-${uid}-${String(j).padStart(6, "0")}`;
      const at = new Date(Date.UTC(2026, 0, 1) + j * 1000);
      batch.set(db.doc(`generationRequests/${id}`), {
        userId: uid, status: "succeeded", model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt, negativePrompt: null, numImages: 1, seed: j, cost: 1,
        refunded: false, progress: 1, attempts: 1, error: null, webhookUrl: null, createdAt: at, startedAt: at, finishedAt: at, durationMs: 900,
        outputs: [{ path: `generations/${uid}/${id}/0.webp`, thumbnailPath: `generations/${uid}/${id}/0.thumb.webp`, contentType: "image/webp", width: 512, height: 512, bytes: 90000, seed: j }],
      });
      batch.set(db.doc(`users/${uid}/ledger/debit-${id}`), { type: "debit", amount: -1, balanceAfter: N - j - 1, requestId: id, reason: "generation A 512x512 x1", actor: `user:${uid}`, createdAt: at });
    }
    await batch.commit();
  }
  await db.doc(`users/${uid}`).set({ email: `${uid}@bench.example.com`, role: "user", credits: 0, createdAt: new Date() });
  return Date.now() - t0;
}

const db = firestore();
const uid = `bench_export_${Date.now().toString(36)}`;
const seedMs = await seed(db, uid);
global.gc();
const base = process.memoryUsage();
let peakHeap = base.heapUsed;
let peakRss = base.rss;
let maxRetained = 0;
let pages = 0;
let bytes = 0;
const counts = { requests: 0, ledger: 0 };
// Uniqueness without holding ids (a set of 40k ids would be the bench's own growing memory):
// the seeded timestamps are distinct, so each section must arrive in strictly descending order.
const last = { requests: "\uffff", ledger: "\uffff" };
let outOfOrder = 0;
const t0 = Date.now();
let cursor;
do {
  const page = await exportPage({ db, files: storage(), uid, urlTtlSeconds: 3600 }, cursor, PAGE);
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakRss = Math.max(peakRss, m.rss);
  const json = JSON.stringify(page);
  bytes += json.length;
  for (const k of ["requests", "ledger"]) {
    for (const item of page[k]) {
      if (!(item.id < last[k])) outOfOrder++;
      last[k] = item.id;
    }
  }
  counts.requests += page.requests.length;
  counts.ledger += page.ledger.length;
  cursor = page.nextCursor ?? undefined;
  pages++;
  global.gc();
  maxRetained = Math.max(maxRetained, process.memoryUsage().heapUsed - base.heapUsed);
} while (cursor);
const ms = Date.now() - t0;

console.log(JSON.stringify({ requests: N, pageSize: PAGE, seedMs, exportMs: ms, pages, exportedBytes: bytes, items: counts, outOfOrder }, null, 1));
console.log(`| requests | page size | pages | exported JSON | export time | heap before | peak heap (Δ) | peak RSS (Δ) | retained after a page (max) |`);
console.log(`|---:|---:|---:|---:|---:|---:|---:|---:|---:|`);
console.log(`| ${N} | ${PAGE} | ${pages} | ${MB(bytes)} MB | ${(ms / 1000).toFixed(1)} s | ${MB(base.heapUsed)} MB | ${MB(peakHeap)} MB (+${MB(peakHeap - base.heapUsed)}) | ${MB(peakRss)} MB (+${MB(peakRss - base.rss)}) | ${MB(maxRetained)} MB |`);
