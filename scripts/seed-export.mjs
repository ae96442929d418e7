#!/usr/bin/env node
// Regenerates emulator-export/ from scripts/lib/seed-data.mjs.
// Usage: npm run seed   (starts auth + firestore emulators, seeds them, exports on exit)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { repoRoot, emulatorEnv, firebaseBin, firebaseConfigPath, ports } from "./lib/env.mjs";
import { ensurePrereqs } from "./lib/prereqs.mjs";

const exportDir = path.join(repoRoot, "emulator-export");
if (process.argv[2] === "--write") {
  await (await import("./lib/seed-write.mjs")).writeSeed();
  process.exit(0);
}
// IMAGEGEN_PORT_OFFSET applies here too, so a seed can run beside other emulator stacks. Ports
// are checked first (a running `npm run dev` holds them), and the export is written beside the
// tracked one and swapped in only when complete: a failed seed never loses emulator-export/.
const offset = Number(process.env.IMAGEGEN_PORT_OFFSET || 0);
const { hub, logging, auth, firestore, websocket } = ports(offset);
await ensurePrereqs("npm run seed", { emulators: true, ports: { hub, logging, auth, firestore, websocket }, offset });
const staging = `${exportDir}.new`;
fs.rmSync(staging, { recursive: true, force: true });
const config = firebaseConfigPath();
const r = spawnSync(
  firebaseBin,
  ["emulators:exec", "--config", config, "--only", "auth,firestore", "--export-on-exit", staging, `node ${JSON.stringify(path.join(repoRoot, "scripts", "seed-export.mjs"))} --write`],
  { cwd: repoRoot, stdio: "inherit", env: emulatorEnv() },
);
if (config !== path.join(repoRoot, "firebase.json")) fs.rmSync(config, { force: true });
if (r.status === 0 && fs.existsSync(path.join(staging, "firebase-export-metadata.json"))) {
  fs.rmSync(exportDir, { recursive: true, force: true });
  fs.renameSync(staging, exportDir);
} else {
  fs.rmSync(staging, { recursive: true, force: true });
  console.error("seed failed: emulator-export/ is unchanged");
}
process.exit(r.status ?? 1);
