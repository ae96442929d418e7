#!/usr/bin/env node
// Report cost: Firestore reads and wall time of one weekly report at 1k, 10k and 100k requests in
// the week. Each volume is seeded into its own far-away week of the Firestore emulator; the real
// report builder (functions/lib) runs R times on it. Reads are what the builder bills itself for
// (MeteredReader, as Firestore bills: aggregations 1 read per started 1,000 index entries, 1 per
// document otherwise), checked against the closed formula in docs/performance.md. Baseline in the same run:
// the smallest volume (ratios show how reads and time grow with the volume).
// getUsage too: one account that made all N requests of the week asks for a month of rows by day
// and by model, through the functions' own read path; its reads are the counter documents asked for.
//   npm run bench -- report     (BENCH_REPEATS=3, BENCH_REPORT_SIZES=1000,10000,100000, BENCH_REPORT_USERS_PER_1K=50)
import { createRequire } from "node:module";
import path from "node:path";
import { repoRoot } from "../scripts/lib/env.mjs";
import { metric, target, writePart } from "./lib/results.mjs";
import { median, ratio } from "./lib/stats.mjs";

const REPEATS = Number(process.env.BENCH_REPEATS || 3);
const sizes = (process.env.BENCH_REPORT_SIZES || "1000,10000,100000").split(",").map(Number);
const usersPer1k = Number(process.env.BENCH_REPORT_USERS_PER_1K || 50);
// The emulator answers an aggregation by scanning every entry (≈ 2 min per 100k-request report
// here); its reads are deterministic, so large weeks are timed once unless asked otherwise.
const LARGE = 50_000;
const LARGE_REPEATS = Number(process.env.BENCH_REPORT_LARGE_REPEATS || 1);
if (!process.env.FIRESTORE_EMULATOR_HOST) throw new Error("run through `npm run bench -- report` (needs the Firestore emulator)");

const require = createRequire(path.join(repoRoot, "functions", "package.json"));
const { firestore } = require("./lib/shared/firestore.js");
const { runWeeklyReport, REPORT_SETTINGS } = require("./lib/reports/run-report.js");
const { parseIsoWeek } = require("./lib/shared/isoWeek.js");
const { readDailyUsage } = require("./lib/usage/read.js");
const { daysBetween, usageRows } = require("./lib/usage/rows.js");
const noStore = { save: async () => {}, remove: async () => {}, signedUrl: async () => "" };

async function measure(db, n, i) {
  const week = `${2040 + i}-W10`;
  const users = Math.max(1, Math.round((n / 1000) * usersPer1k));
  const t0 = Date.now();
  const truth = await seedWeek(db, week, parseIsoWeek(week).start, n, users);
  const seedS = (Date.now() - t0) / 1000;
  const runs = [];
  for (let r = 0; r < (n >= LARGE ? Math.min(REPEATS, LARGE_REPEATS) : REPEATS); r++) {
    const t = performance.now();
    const report = await runWeeklyReport(week, { db, store: noStore });
    const wallMs = performance.now() - t;
    if (report.requests.total !== n) throw new Error(`report counted ${report.requests.total} requests, seeded ${n}`);
    runs.push({ wallMs, reads: report.cost.reads, documentReads: report.cost.documentReads, aggregationReads: report.cost.aggregationReads, queries: report.cost.queries });
  }
  for (const run of runs) Object.assign(run, await measureUsage(db, week, parseIsoWeek(week).start, n));
  const predicted = predict(truth, REPORT_SETTINGS).total;
  console.error(`[report] ${n} requests / ${users} users (seeded in ${seedS.toFixed(0)} s): ${JSON.stringify(runs)}; formula excl. durations ${predicted}`);
  return { n, users, runs };
}

async function main() {
  const db = firestore();
  await seedCatalog(db);
  const rows = [];
  for (const [i, n] of sizes.entries()) rows.push(await measure(db, n, i));
  const first = rows[0];
  const m = (row, key, label, unit, digits = 0) => metric(key, label, unit, row.runs.map((x) => x[key]), digits);
  const baseline = { label: `${first.n.toLocaleString("en-US")} requests`, metrics: [m(first, "reads", "reads", ""), m(first, "wallMs", "wall", "ms")] };
  const cases = rows.map((row) => ({
    label: `${row.n.toLocaleString("en-US")} requests, ${row.users.toLocaleString("en-US")} users`,
    runs: row.runs.length,
    metrics: [m(row, "reads", "reads", ""), m(row, "documentReads", "of which document reads", ""), m(row, "queries", "queries", ""), m(row, "wallMs", "wall", "ms"),
      m(row, "usageReads", "getUsage reads (31 days, by day + by model)", ""), m(row, "usageMs", "getUsage wall", "ms", 1)],
    ...(row === first ? {} : {
      baseline,
      ratios: [
        { label: "reads", value: ratio(median(row.runs.map((x) => x.reads)), median(first.runs.map((x) => x.reads))), digits: 2 },
        { label: "wall", value: ratio(median(row.runs.map((x) => x.wallMs)), median(first.runs.map((x) => x.wallMs))), digits: 2 },
        { label: "requests", value: row.n / first.n, digits: 0 },
      ],
    }),
  }));
  const docReads = rows.map((r) => median(r.runs.map((x) => x.documentReads)));
  const usageReads = rows.map((r) => median(r.runs.map((x) => x.usageReads)));
  const result = {
    name: "report",
    title: "Weekly report cost",
    command: "npm run bench -- report",
    repeats: REPEATS,
    workload: `one weekly report (no stored history) over a week seeded with N requests (10 % failed, 10 % cancelled, 2 models, 3 styles), ${usersPer1k} users per 1,000 requests; ` +
      `reads as Firestore bills them; document reads = reads minus the aggregations' per-1,000-entries charge. ` +
      `Weeks of ≥ ${LARGE.toLocaleString("en-US")} requests are timed ${LARGE_REPEATS}× (BENCH_REPORT_LARGE_REPEATS): the emulator scans every entry per aggregation, so their wall time says more about it than about Firestore.`,
    cases,
    targets: [target("document reads do not grow with the requests (only aggregation index costs may)", "constant",
      docReads.join(" / "), docReads.every((d) => d <= docReads[0])),
      target("getUsage reads do not grow with the requests (one counter document per day of the range)", "constant", usageReads.join(" / "), usageReads.every((d) => d === usageReads[0]))],
  };
  writePart(result);
  for (const c of cases) console.log(`${c.label.padEnd(32)} ${c.metrics.map((x) => `${x.label} ${x.median.toFixed(x.unit === "ms" ? 1 : 0)}`).join(", ")}`);
}

main().then(() => process.exit(0), (e) => (console.error(e), process.exit(1)));

async function seedCatalog(db) {
  const batch = db.batch();
  for (const [id, c] of [["A", 1], ["B", 2]]) batch.set(db.doc(`models/${id}`), { displayName: `Model ${id}`, enabled: true, creditsPerImage: c });
  for (const id of ["realistic", "anime", "scandinavian"]) batch.set(db.doc(`styles/${id}`), { displayName: id, enabled: true });
  await batch.commit();
}

const heavyUid = (week) => `bench_all_${week}`;

/** getUsage's read path for a month from the week's Monday: by day, then by model. Reads = documents asked for. */
async function measureUsage(db, week, start, n) {
  let usageReads = 0;
  const metered = { doc: (p) => db.doc(p), getAll: (...refs) => ((usageReads += refs.length), db.getAll(...refs)) };
  const from = start.toISOString().slice(0, 10);
  const days = daysBetween(from, new Date(start.getTime() + 30 * 86_400_000).toISOString().slice(0, 10), 366);
  const t = performance.now();
  const byDay = usageRows(days, await readDailyUsage(metered, heavyUid(week), days), "day", heavyUid(week), null);
  const byModel = usageRows(days, await readDailyUsage(metered, heavyUid(week), days), "model", heavyUid(week), null);
  const usageMs = performance.now() - t;
  const counted = byDay.reduce((a, r) => a + r.requests, 0);
  if (counted !== n || byModel.reduce((a, r) => a + r.requests, 0) !== n) throw new Error(`getUsage counted ${counted} requests, seeded ${n}`);
  return { usageReads, usageMs };
}

function STATUS(i) {
  return i % 10 === 0 ? "failed" : i % 10 === 1 ? "cancelled" : "succeeded";
}

async function seedWeek(db, week, start, n, users) {
  const writes = [];
  const usage = new Map();
  const daily = new Map();
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
    // The same request in the daily counters of the one account getUsage is measured for.
    const day = createdAt.toISOString().slice(0, 10);
    const gpuMs = durationMs ?? 0;
    const d = daily.get(day) ?? { uid: heavyUid(week), day, requests: 0, images: 0, creditsDebited: 0, creditsRefunded: 0, gpuMs: 0, byModel: {}, byKey: { "-": {} } };
    for (const part of [d, (d.byModel[model] ??= {}), d.byKey["-"]]) {
      for (const [f, v] of [["requests", 1], ["images", 1], ["creditsDebited", cost], ["creditsRefunded", status === "succeeded" ? 0 : cost], ["gpuMs", gpuMs]]) part[f] = (part[f] ?? 0) + v;
    }
    daily.set(day, d);
  }
  for (const [uid, u] of usage) writes.push([`usageWeekly/${week}_${uid}`, u]);
  for (const [day, d] of daily) writes.push([`usageDaily/${day}_${heavyUid(week)}`, d]);
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

/** The closed formula (see docs/performance.md): what the builder's queries bill for a week with no stored history. */
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
  // Every series' window is empty, so each asks once whether it had a request before it.
  const activity = 1 + M + K;
  return { catalog, statuses, ledger, breakdowns, users, history, activity, durationsPerCount: agg(t.durations), total: catalog + statuses + ledger + breakdowns + users + history + activity };
}
