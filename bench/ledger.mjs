#!/usr/bin/env node
// Ledger: createGenerationRequest throughput and latency over HTTP, like a client, with C
// parallel lanes: every create from 1 user (all transactions contend for one users/{uid}
// document) against creates spread over 50 users. Baseline in the same run: the `health`
// function at the same concurrency (same emulator routing, no auth, no Firestore). Ends with the
// conservation check: credits == sum(ledger) for every user touched.
//   npm run bench -- ledger     (BENCH_REPEATS=3, BENCH_LEDGER_CREATES=60, BENCH_LEDGER_LANES=10, BENCH_LEDGER_USERS=50)
import { initializeApp } from "firebase-admin/app";
import { getFirestore } from "firebase-admin/firestore";
import { createRequest, health, lanes } from "./lib/client.mjs";
import { metric, target, writePart } from "./lib/results.mjs";
import { median, percentile, ratio } from "./lib/stats.mjs";
import { conservationViolations, makeUsers } from "./lib/users.mjs";

const REPEATS = Number(process.env.BENCH_REPEATS || 3);
const CREATES = Number(process.env.BENCH_LEDGER_CREATES || 60);
const LANES = Number(process.env.BENCH_LEDGER_LANES || 10);
const MANY = Number(process.env.BENCH_LEDGER_USERS || 50);
const PER_LANE = Math.ceil(CREATES / LANES);

const app = initializeApp({ projectId: process.env.GCLOUD_PROJECT });
const db = getFirestore(app);

function figures({ samples, wallMs }) {
  const ok = samples.filter((s) => s.status === 201 || s.status === 200);
  const ms = samples.map((s) => s.ms);
  return { perSecond: ok.length / (wallMs / 1000), p50: percentile(ms, 50), p99: percentile(ms, 99), errors: samples.length - ok.length };
}

async function main() {
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
    console.error(`[ledger] run ${r + 1}: ${JSON.stringify({ health: runs.health.at(-1), one: runs.one.at(-1), many: runs.many.at(-1) })}`);
  }
  const bad = await conservationViolations(db, [single.uid, ...many.map((u) => u.uid)]);
  const fig = (rs, label) => [
    metric("perSecond", "creates/s", "", rs.map((x) => x.perSecond), 1), metric("p50", "p50", "ms", rs.map((x) => x.p50), 0),
    metric("p99", "p99", "ms", rs.map((x) => x.p99), 0), metric("errors", "non-2xx", "", rs.map((x) => x.errors), 0),
  ];
  const baseline = { label: "`health` at the same concurrency", metrics: fig(runs.health).slice(0, 3).map((m) => ({ ...m, label: m.label.replace("creates/s", "req/s") })) };
  const ratios = (rs) => [{ label: "p50 vs health", value: median(rs.map((x, i) => ratio(x.p50, runs.health[i].p50))), digits: 1 }];
  const result = {
    name: "ledger",
    title: "Ledger: createGenerationRequest",
    command: "npm run bench -- ledger",
    repeats: REPEATS,
    workload: `${PER_LANE * LANES} creates per run over HTTP (Functions + Auth + Firestore emulators, dispatch recorded), ${LANES} parallel lanes; ` +
      `1 user (every transaction on one balance) vs ${MANY} users (round robin); latency per call; conservation checked on every user afterwards.`,
    cases: [
      { label: `1 user, ${LANES} lanes`, metrics: fig(runs.one), baseline, ratios: ratios(runs.one) },
      { label: `${MANY} users, ${LANES} lanes`, metrics: fig(runs.many), baseline, ratios: ratios(runs.many) },
    ],
    targets: [target(`conservation: credits == sum(ledger) for all ${MANY + 1} users`, "always", bad.length ? `${bad.length} users off` : "holds", bad.length === 0)],
  };
  writePart(result);
  console.log(JSON.stringify(result.cases.map((c) => [c.label, c.metrics.map((m) => [m.label, m.median])]), null, 0), bad.length ? `CONSERVATION FAILED ${JSON.stringify(bad)}` : "conservation holds");
}

main().then(() => process.exit(0), (e) => (console.error(e), process.exit(1)));
