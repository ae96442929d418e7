#!/usr/bin/env node
// `npm run bench`: the benchmark suite. Each benchmark runs in the environment it needs (none,
// an emulator stack with dispatch recorded, or one with real dispatch to a runner and the fake
// ComfyUI), leaves a structured result, and the suite merges them into bench/results/latest.json
// and prints the Markdown table (`npm run bench:table` copies it into docs/performance.md).
//   npm run bench                      the whole suite
//   npm run bench -- dispatch report   some of it (names below)
//   npm run bench -- bench/x.mjs args  any script inside the record stack, as before
// Benchmarks print figures; they assert nothing.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "./lib/env.mjs";
import { buildWorkspaces, execInEmulators, stackEnv } from "./lib/exec-emulators.mjs";
import { machineInfo } from "../bench/lib/machine.mjs";
import { mergeLatest } from "../bench/lib/results.mjs";
import { renderTable } from "../bench/lib/table.mjs";

const offset = Number(process.env.IMAGEGEN_PORT_OFFSET || 0);
const runnerPort = 8090 + offset;
// Benchmarks hammer one user on purpose: the per-minute cap would turn that into 429s.
const unlimited = { MAX_CREATES_PER_MINUTE: "1000000" };
const stacks = {
  record: () => stackEnv({ DISPATCH_MODE: "record", ...unlimited }),
  // As scripts/test.mjs phase 2: the functions enqueue on the Tasks emulator, which pushes to the runner.
  dispatch: () => stackEnv({
    DISPATCH_MODE: "tasks-emulator", RUNNER_URL: `http://127.0.0.1:${runnerPort}`, LOCAL_FILES_BASE_URL: `http://127.0.0.1:${runnerPort}/files`,
    TASKS_MIN_BACKOFF_SECONDS: "1", TASKS_MAX_BACKOFF_SECONDS: "3", TASKS_MAX_DOUBLINGS: "2", ...unlimited,
  }),
};
const suite = [
  { name: "postprocess", script: "bench/postprocess.mjs", stack: null },
  { name: "ledger", script: "bench/ledger.mjs", stack: "record" },
  { name: "report", script: "bench/report.mjs", stack: "record" },
  { name: "dispatch", script: "bench/dispatch.mjs", stack: "dispatch" },
  { name: "training", script: "bench/training.mjs", stack: "record" },
  { name: "eta", script: "bench/eta.mjs", stack: null },
];

const started = Date.now();
const step = (msg) => console.error(`\n▶ ${msg} (+${((Date.now() - started) / 1000).toFixed(0)}s)`);
const quote = (args) => args.map((a) => JSON.stringify(a)).join(" ");
const args = process.argv.slice(2);

if (args[0]?.endsWith(".mjs")) {
  buildWorkspaces();
  process.exit(await execInEmulators(quote([process.execPath, path.resolve(repoRoot, args[0]), ...args.slice(1)]), stacks.record()));
}

const unknown = args.filter((a) => !suite.some((b) => b.name === a));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${suite.map((b) => b.name).join(", ")}`);
  process.exit(2);
}
const chosen = suite.filter((b) => args.length === 0 || args.includes(b.name));
buildWorkspaces();
const partsDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-parts-"));
const env = (extra) => ({ ...extra, BENCH_RESULT_DIR: partsDir });
let failed = 0;
for (const b of chosen.filter((x) => !x.stack)) {
  step(`${b.name}`);
  failed += spawnSync(process.execPath, [path.join(repoRoot, b.script)], { cwd: repoRoot, stdio: "inherit", env: env(process.env) }).status === 0 ? 0 : 1;
}
for (const kind of Object.keys(stacks)) {
  const inStack = chosen.filter((b) => b.stack === kind);
  if (!inStack.length) continue;
  step(`${inStack.map((b) => b.name).join(", ")} (emulator stack: ${kind})`);
  // `;` not `&&`: one failing benchmark still lets the others in the same stack run.
  const cmd = inStack.map((b) => quote([process.execPath, path.join(repoRoot, b.script)])).join(" ; ");
  failed += (await execInEmulators(cmd, env(stacks[kind]()))) === 0 ? 0 : 1;
}

const results = fs.readdirSync(partsDir).map((f) => JSON.parse(fs.readFileSync(path.join(partsDir, f), "utf8")));
fs.rmSync(partsDir, { recursive: true, force: true });
const missing = chosen.filter((b) => !results.some((r) => r.name === b.name)).map((b) => b.name);
if (results.length) {
  const latest = mergeLatest(repoRoot, machineInfo(repoRoot), results);
  step(`wrote bench/results/latest.json (${results.map((r) => r.name).join(", ")})`);
  console.log(`\n${renderTable(latest)}\n`);
}
if (missing.length) console.error(`no result from: ${missing.join(", ")}`);
console.error(`suite wall time: ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(failed || missing.length ? 1 : 0);
