#!/usr/bin/env node
// Regenerates emulator-export/ from scripts/lib/seed-data.mjs.
// Usage: npm run seed   (starts auth + firestore emulators, seeds them, exports on exit)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { repoRoot, emulatorEnv, firebaseBin, firebaseConfigPath } from "./lib/env.mjs";

const exportDir = path.join(repoRoot, "emulator-export");
if (process.argv[2] === "--write") {
  await (await import("./lib/seed-write.mjs")).writeSeed();
  process.exit(0);
}
fs.rmSync(exportDir, { recursive: true, force: true });
const r = spawnSync(
  firebaseBin,
  // --config: the ports of IMAGEGEN_PORT_OFFSET, so a seed never lands on another stack's emulators.
  ["emulators:exec", "--config", firebaseConfigPath(), "--only", "auth,firestore", "--export-on-exit", exportDir, `node ${JSON.stringify(path.join(repoRoot, "scripts", "seed-export.mjs"))} --write`],
  { cwd: repoRoot, stdio: "inherit", env: emulatorEnv() },
);
process.exit(r.status ?? 1);
