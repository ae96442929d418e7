#!/usr/bin/env node
// Ledger: creates, one hot account against many, measured two ways.
// 1. Over HTTP, like a client, with C parallel lanes: every create from 1 user against creates
//    spread over 50 users, with the `health` function at the same concurrency as the baseline in
//    the same run. The Functions emulator runs one request per worker process, so this shows the
//    commit path across instances, never grouping inside one.
// 2. In process (lib/grid.mjs): the create path driven directly against the Firestore emulator by
//    K simulated instances (separate processes), over lanes {10, 50} × instances {1, 2, 5} ×
//    {1 account, 50 accounts}, on this checkout and, in the same run, on BENCH_BASELINE_REF's build.
// Ends with the conservation check, credits == sum(ledger), on every account touched.
//   npm run bench -- ledger     (BENCH_REPEATS=3, BENCH_LEDGER_CREATES=60, BENCH_LEDGER_LANES=10, BENCH_LEDGER_USERS=50,
//                                BENCH_GRID_CREATES=100, BENCH_BASELINE_REF=bfca2e5 or "none", BENCH_LEDGER_PARTS=http,grid)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { initializeApp } from "firebase-admin/app";
import { getFirestore } from "firebase-admin/firestore";
import { repoRoot } from "../scripts/lib/env.mjs";
import { baselineLib } from "./lib/baseline.mjs";
import { createRequest, health, lanes } from "./lib/client.mjs";
import { gridCases, gridCells, gridTargets, runGrid } from "./lib/grid.mjs";
import { metric, target, writePart } from "./lib/results.mjs";
import { median, percentile, ratio } from "./lib/stats.mjs";
import { conservationViolations, makeUsers } from "./lib/users.mjs";

const REPEATS = Number(process.env.BENCH_REPEATS || 3);
const CREATES = Number(process.env.BENCH_LEDGER_CREATES || 60);
const LANES = Number(process.env.BENCH_LEDGER_LANES || 10);
const MANY = Number(process.env.BENCH_LEDGER_USERS || 50);
const PER_LANE = Math.ceil(CREATES / LANES);
const GRID_CREATES = Number(process.env.BENCH_GRID_CREATES || 100);
// The last commit before the group commit (issue 14): the "before" of every in-process cell.
const BASELINE_REF = process.env.BENCH_BASELINE_REF || "bfca2e5";
const PARTS = new Set((process.env.BENCH_LEDGER_PARTS || "http,grid").split(","));
// A recorded HTTP run of the baseline (the Functions emulator serves one build at a time).
const HTTP_BEFORE = path.join(repoRoot, "bench", "baselines", `ledger-http-${BASELINE_REF}.json`);

const app = initializeApp({ projectId: process.env.GCLOUD_PROJECT });
const db = getFirestore(app);
const log = (line) => console.error(line);
// Other processes share the machine (on a busy one, the figures say as much about it as about us).
const loads = [];
const sampler = setInterval(() => loads.push(os.loadavg()[0]), 5000).unref();

function figures({ samples, wallMs }) {
  const ok = samples.filter((s) => s.status === 201 || s.status === 200);
  const ms = samples.map((s) => s.ms);
  return { perSecond: ok.length / (wallMs / 1000), p50: percentile(ms, 50), p99: percentile(ms, 99), errors: samples.length - ok.length };
}

const httpMetrics = (rs) => [
  metric("perSecond", "creates/s", "", rs.map((x) => x.perSecond), 1), metric("p50", "p50", "ms", rs.map((x) => x.p50), 0),
  metric("p99", "p99", "ms", rs.map((x) => x.p99), 0), metric("errors", "non-2xx", "", rs.map((x) => x.errors), 0),
];

async function overHttp() {
  const single = (await makeUsers(app, db, "one", 1, (REPEATS + 1) * CREATES))[0];
  const many = await makeUsers(app, db, "many", MANY, Math.ceil(((REPEATS + 1) * CREATES) / MANY) + 1);
  // Warm-up: the Functions emulator starts a worker per concurrent request; start them all first.
  await lanes(LANES, 2, () => health());
  await lanes(LANES, 1, (lane) => createRequest(many[lane % MANY].token));
  const runs = { health: [], one: [], many: [] };
  let k = 0;
  for (let r = 0; r < REPEATS; r++) {
    runs.health.push(figures(await lanes(LANES, PER_LANE, () => health())));
    runs.one.push(figures(await lanes(LANES, PER_LANE, () => createRequest(single.token))));
    runs.many.push(figures(await lanes(LANES, PER_LANE, () => createRequest(many[k++ % MANY].token))));
    log(`[ledger] run ${r + 1}: ${JSON.stringify({ health: runs.health.at(-1), one: runs.one.at(-1), many: runs.many.at(-1) })}`);
  }
  const baseline = { label: "`health` at the same concurrency", metrics: httpMetrics(runs.health).slice(0, 3).map((m) => ({ ...m, label: m.label.replace("creates/s", "req/s") })) };
  const ratios = (rs) => [{ label: "p50 vs health", value: median(rs.map((x, i) => ratio(x.p50, runs.health[i].p50))), digits: 1 }];
  const cases = [
    { label: `over HTTP: 1 user, ${LANES} lanes`, metrics: httpMetrics(runs.one), baseline, ratios: ratios(runs.one) },
    { label: `over HTTP: ${MANY} users, ${LANES} lanes`, metrics: httpMetrics(runs.many), baseline, ratios: ratios(runs.many) },
  ];
  return { cases, uids: [single.uid, ...many.map((u) => u.uid)], oneP99: cases[0].metrics.find((m) => m.key === "p99").median };
}

/** The baseline's HTTP figures from its recorded run, as a row of their own (never mistaken for this run's). */
function recordedHttpBefore() {
  if (!fs.existsSync(HTTP_BEFORE)) return [];
  const rec = JSON.parse(fs.readFileSync(HTTP_BEFORE, "utf8"));
  return rec.cases.map((c) => ({ label: `${c.label}, before (${BASELINE_REF}, recorded run ${rec.measuredAt.slice(0, 16).replace("T", " ")} UTC)`, metrics: c.metrics }));
}

async function inProcess() {
  const variants = [{ name: "after", lib: path.join(repoRoot, "functions", "lib") }];
  let baseline = null;
  if (BASELINE_REF !== "none") {
    const { sha, lib } = baselineLib(repoRoot, BASELINE_REF);
    variants.push({ name: "before", lib });
    baseline = { name: "before", label: `before (${sha}), same run` };
  }
  const { results, funded } = await runGrid(db, { variants, cells: gridCells(), repeats: REPEATS, creates: GRID_CREATES, log });
  return { cases: gridCases(results, baseline), uids: funded };
}

async function main() {
  const cases = [];
  const targets = [];
  const uids = [];
  if (PARTS.has("http")) {
    const http = await overHttp();
    cases.push(...http.cases, ...recordedHttpBefore());
    uids.push(...http.uids);
    targets.push(target(`over HTTP: 1 user × ${LANES} lanes, p99`, "≤ 1,500 ms", `${Math.round(http.oneP99)} ms`, http.oneP99 <= 1500));
  }
  if (PARTS.has("grid")) {
    const grid = await inProcess();
    cases.push(...grid.cases);
    uids.push(...grid.uids);
    targets.push(...gridTargets(grid.cases));
  }
  clearInterval(sampler);
  const bad = await conservationViolations(db, uids);
  targets.push(target(`conservation: credits == sum(ledger) for all ${uids.length} accounts`, "always", bad.length ? `${bad.length} accounts off` : "holds", bad.length === 0));
  const result = {
    name: "ledger",
    title: "Ledger: creates on one hot account vs many",
    command: "npm run bench -- ledger",
    repeats: REPEATS,
    workload: `over HTTP: ${PER_LANE * LANES} createGenerationRequest calls per run (Functions + Auth + Firestore emulators, dispatch recorded), ${LANES} parallel lanes; ` +
      `1 user vs ${MANY} users (round robin); latency per call. In process: ${GRID_CREATES} creates per cell and run through the functions' create path (functions/lib), ` +
      `lanes split over K instance processes against the Firestore emulator; 1 account, or ${MANY} accounts round robin; the baseline build runs the same cells in the same run, alternating. ` +
      `Conservation checked on every account afterwards. 1-minute load average during the run: median ${median(loads)?.toFixed(1)}, max ${Math.max(...loads).toFixed(1)} (${os.cpus().length} cores).`,
    cases: cases.map(({ cell: _cell, ...c }) => c),
    targets,
  };
  writePart(result);
  console.log(JSON.stringify(result.cases.map((c) => [c.label, c.metrics.map((m) => [m.label, m.median])]), null, 0), bad.length ? `CONSERVATION FAILED ${JSON.stringify(bad.slice(0, 5))}` : "conservation holds");
}

main().then(() => process.exit(0), (e) => (console.error(e), process.exit(1)));
