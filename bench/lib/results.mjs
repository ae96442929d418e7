// The shape every benchmark returns, and bench/results/latest.json, which collects them.
//   result = {name, title, workload, command, repeats, cases: [{label, metrics, baseline?, ratios?}],
//             targets: [{label, target, actual, met}], notes?: [string]}
//   metric = {key, label, unit, digits, median, min, max, n}  (over the repeats)
import fs from "node:fs";
import path from "node:path";
import { summarize } from "./stats.mjs";

/** A figure over repeated runs. `values` holds one value per run. */
export function metric(key, label, unit, values, digits = 1) {
  return { key, label, unit, digits, ...summarize(values) };
}

export function target(label, targetText, actual, met) {
  return { label, target: targetText, actual, met: Boolean(met) };
}

export const resultsDir = (repoRoot) => path.join(repoRoot, "bench", "results");

/** Where a benchmark run inside `npm run bench` leaves its result for the suite to collect. */
export function writePart(result) {
  const dir = process.env.BENCH_RESULT_DIR;
  if (dir) fs.writeFileSync(path.join(dir, `${result.name}.json`), JSON.stringify(result, null, 2));
}

/** Merges results into latest.json (a single benchmark run replaces only its own entry). */
export function mergeLatest(repoRoot, machine, results) {
  const file = path.join(resultsDir(repoRoot), "latest.json");
  let latest = { machine, benchmarks: [] };
  try {
    latest = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {}
  latest.machine = machine;
  for (const r of results) {
    const stamped = { ...r, measuredAt: machine.date, commit: machine.commit };
    const i = latest.benchmarks.findIndex((b) => b.name === r.name);
    if (i >= 0) latest.benchmarks[i] = stamped;
    else latest.benchmarks.push(stamped);
  }
  const order = ["ledger", "dispatch", "postprocess", "training", "report"];
  latest.benchmarks.sort((a, b) => (order.indexOf(a.name) + 1 || 99) - (order.indexOf(b.name) + 1 || 99));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(latest, null, 2) + "\n");
  return latest;
}
