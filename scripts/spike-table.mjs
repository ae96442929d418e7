#!/usr/bin/env node
// `npm run spikes`: scores detectSpike on the labelled suites (the unit test
// functions/test/reports/spike-evaluation.test.ts, no emulators) and prints the per-shape tables.
// `npm run spikes -- --write` also rewrites them in docs/spike-detection.md (between
// <!-- spikes:begin --> and <!-- spikes:end -->); the prose around them stays as written.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "./lib/env.mjs";
import { replaceBetweenMarkers } from "../bench/lib/table.mjs";

const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "spikes-")), "table.md");
const jest = path.join(repoRoot, "node_modules", ".bin", "jest");
const run = spawnSync(jest, ["--ci", "functions/test/reports/spike-evaluation.test.ts", "--selectProjects", "unit"], {
  cwd: repoRoot,
  env: { ...process.env, SPIKE_TABLE_OUT: out },
  stdio: ["ignore", "ignore", "inherit"],
});
if (run.status !== 0 || !fs.existsSync(out)) {
  console.error(`the spike evaluation failed (jest exit ${run.status})`);
  process.exit(1);
}
const table = fs.readFileSync(out, "utf8").trim();
console.log(table);
if (process.argv.includes("--write")) {
  const doc = path.join(repoRoot, "docs", "spike-detection.md");
  fs.writeFileSync(doc, replaceBetweenMarkers(fs.readFileSync(doc, "utf8"), table, "<!-- spikes:begin -->", "<!-- spikes:end -->"));
  console.error(`${path.relative(repoRoot, doc)}: tables rewritten`);
}
