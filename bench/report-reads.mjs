#!/usr/bin/env node
// Firestore reads of one weekly report at 1k, 10k and 100k requests in the week, measured on the
// Firestore emulator: seeds each volume into its own far-away week, runs the real report builder
// (functions/lib), and prints the reads it billed itself for (MeteredReader: 1 read per started
// 1,000 index entries per aggregation, 1 per document otherwise) next to the closed formula.
//
//   npm run build && node bench/report-reads.mjs [1000,10000,100000] [usersPer1kRequests=50]
//
// Without FIRESTORE_EMULATOR_HOST it starts a Firestore emulator around itself.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { repoRoot, firebaseBin, emulatorEnv, firebaseConfigPath, PROJECT_ID } from "../scripts/lib/env.mjs";

const sizes = (process.argv[2] ?? "1000,10000,100000").split(",").map(Number);
const usersPer1k = Number(process.argv[3] ?? 50);

if (!process.env.FIRESTORE_EMULATOR_HOST) {
  const cmd = ["node", path.join(repoRoot, "bench", "report-reads.mjs"), ...process.argv.slice(2)].map((a) => JSON.stringify(a)).join(" ");
  const child = spawn(firebaseBin, ["emulators:exec", "--project", PROJECT_ID, "--config", firebaseConfigPath(), "--only", "firestore", cmd], {
    cwd: repoRoot, stdio: ["ignore", "inherit", "inherit"], env: emulatorEnv(),
  });
  child.on("exit", (code) => process.exit(code ?? 1));
} else {
  await main();
}

async function main() {
  const require = createRequire(path.join(repoRoot, "functions", "package.json"));
  const { firestore } = require("./lib/shared/firestore.js");
  const { runWeeklyReport, REPORT_SETTINGS } = require("./lib/reports/run-report.js");
  const { parseIsoWeek } = require("./lib/shared/isoWeek.js");
  const db = firestore();
  await seedCatalog(db);
  const rows = [];
  for (const [i, n] of sizes.entries()) {
    const week = `${2040 + i}-W10`;
    const users = Math.max(1, Math.round((n / 1000) * usersPer1k));
    const t0 = Date.now();
    const truth = await seedWeek(db, week, parseIsoWeek(week).start, n, users);
    const seededS = (Date.now() - t0) / 1000;
    const report = await runWeeklyReport(week, { db, store: { save: async () => {}, remove: async () => {}, signedUrl: async () => "" } });
    if (report.requests.total !== n) throw new Error(`report counted ${report.requests.total} requests, seeded ${n}`);
    rows.push({ n, users, measured: report.cost, predicted: predict(truth, REPORT_SETTINGS), exact: report.durationMs.exact, seededS });
  }
  printTable(rows);
}

async function seedCatalog(db) {
  const batch = db.batch();
  for (const [id, c] of [["A", 1], ["B", 2]]) batch.set(db.doc(`models/${id}`), { displayName: `Model ${id}`, enabled: true, creditsPerImage: c });
  for (const id of ["realistic", "anime", "scandinavian"]) batch.set(db.doc(`styles/${id}`), { displayName: id, enabled: true });
  await batch.commit();
}

function STATUS(i) {
  return i % 10 === 0 ? "failed" : i % 10 === 1 ? "cancelled" : "succeeded";
}

async function seedWeek(db, week, start, n, users) {
  const writes = [];
  const usage = new Map();
  const truth = { statuses: {}, ledger: { debit: 0, refund: 0, grant: 0, adjustment: 0 }, models: {}, styles: {}, durations: 0, users };
  for (let i = 0; i < n; i++) {
    const uid = `bench_u${i % users}`;
    const status = STATUS(i);
    const model = i % 2 ? "B" : "A";
    const style = ["realistic", "anime", "scandinavian"][i % 3];
    const cost = model === "B" ? 2 : 1;
    const createdAt = new Date(start.getTime() + ((i * 37_003) % (6 * 86_400_000)));
    const durationMs = status === "cancelled" ? undefined : 1000 + ((i * 7919) % 60_000);
    const id = `bench-${week}-${i}`;
    writes.push([`generationRequests/${id}`, { userId: uid, status, model, style, numImages: 1, cost, createdAt, ...(durationMs ? { durationMs } : {}) }]);
    writes.push([`users/${uid}/ledger/debit-${id}`, { type: "debit", amount: -cost, requestId: id, createdAt }]);
    if (status !== "succeeded") writes.push([`users/${uid}/ledger/refund-${id}`, { type: "refund", amount: cost, requestId: id, createdAt }]);
    truth.statuses[status] = (truth.statuses[status] ?? 0) + 1;
    truth.ledger.debit++;
    if (status !== "succeeded") truth.ledger.refund++;
    truth.models[model] = (truth.models[model] ?? 0) + 1;
    truth.styles[style] = (truth.styles[style] ?? 0) + 1;
    if (durationMs) truth.durations++;
    const u = usage.get(uid) ?? { uid, week, requests: 0, images: 0, creditsDebited: 0, creditsRefunded: 0 };
    u.requests++; u.images++; u.creditsDebited += cost;
    usage.set(uid, u);
  }
  for (const [uid, u] of usage) writes.push([`usageWeekly/${week}_${uid}`, u]);
  const chunks = [];
  for (let i = 0; i < writes.length; i += 500) chunks.push(writes.slice(i, i + 500));
  for (let i = 0; i < chunks.length; i += 8) {
    await Promise.all(chunks.slice(i, i + 8).map((chunk) => {
      const batch = db.batch();
      for (const [p, d] of chunk) batch.set(db.doc(p), d);
      return batch.commit();
    }));
  }
  return truth;
}

/** The closed formula (see the README): what the builder's queries bill for a week with no stored history. */
function predict(t, s) {
  const agg = (entries) => Math.max(1, Math.ceil(entries / 1000));
  const M = 2, S = 3, H = s.historyWeeks;
  const K = Math.min(s.userCandidates, t.users);
  const statuses = ["queued", "running", "succeeded", "failed", "cancelled"].reduce((a, st) => a + agg(t.statuses[st] ?? 0), 0);
  const ledger = Object.values(t.ledger).reduce((a, n) => a + agg(n), 0);
  const breakdowns = Object.values(t.models).reduce((a, n) => a + agg(n), 0) + Object.values(t.styles).reduce((a, n) => a + agg(n), 0);
  const catalog = M + S;
  const users = agg(t.users) + Math.max(1, Math.min(Math.max(s.topUsers, s.userCandidates), t.users)) + H * K;
  // Empty previous weeks: per week 1 count + 1 ledger sum + M model counts, plus the previous week's 9 totals.
  const history = H + H * (2 + M) + 9;
  return { catalog, statuses, ledger, breakdowns, users, history, durationsPerCount: agg(t.durations), total: catalog + statuses + ledger + breakdowns + users + history };
}

function printTable(rows) {
  const head = ["requests", "users", "reads", "requests+ledger", "breakdowns", "durations", "users", "history", "catalog", "queries", "formula excl. durations", "p50/p95 exact", "seed s"];
  const lines = rows.map((r) => {
    const g = r.measured.byGroup;
    const nonDuration = r.measured.reads - (g.durations ?? 0);
    return [r.n, r.users, r.measured.reads, (g.requests ?? 0) + (g.ledger ?? 0), g.breakdowns ?? 0, g.durations ?? 0, g.users ?? 0, g.history ?? 0, g.catalog ?? 0,
      r.measured.queries, `${r.predicted.total} (measured ${nonDuration})`, r.exact ? "yes" : "no (≤5 %)", r.seededS.toFixed(0)];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const fmt = (cells) => "| " + cells.map((c, i) => String(c).padEnd(widths[i])).join(" | ") + " |";
  console.log("\nFirestore reads for one weekly report (no stored history; Firestore emulator, billed as Firestore bills)\n");
  console.log(fmt(head));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const l of lines) console.log(fmt(l));
  console.log("\ndurations = 1 + c × ⌈T/1000⌉ (+ ≤ 2 × 200 docs when a percentile bucket is small enough to read exactly), c = distinct grid counts (≤ 16)");
  for (const r of rows) console.log(`  ${r.n} requests: T = ${Math.round(r.n * 0.9)}, ⌈T/1000⌉ = ${r.predicted.durationsPerCount}, measured durations = ${r.measured.byGroup.durations}`);
}
