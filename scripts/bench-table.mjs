#!/usr/bin/env node
// `npm run bench:table`: rewrites docs/performance.md's table (between <!-- bench:begin -->
// and <!-- bench:end -->) from bench/results/latest.json. The prose around it stays as written.
import fs from "node:fs";
import path from "node:path";
import { repoRoot } from "./lib/env.mjs";
import { renderTable, replaceBetweenMarkers } from "../bench/lib/table.mjs";

const latestFile = path.join(repoRoot, "bench", "results", "latest.json");
const readme = path.join(repoRoot, process.argv[2] ?? "docs/performance.md");
if (!fs.existsSync(latestFile)) {
  console.error("bench/results/latest.json is missing: run `npm run bench` first");
  process.exit(1);
}
const table = renderTable(JSON.parse(fs.readFileSync(latestFile, "utf8")));
fs.writeFileSync(readme, replaceBetweenMarkers(fs.readFileSync(readme, "utf8"), table));
console.log(`${path.relative(repoRoot, readme)}: performance table rewritten from bench/results/latest.json`);
