#!/usr/bin/env node
// `npm test`: builds the functions, starts the emulators (auth, firestore, functions, tasks,
// pubsub) with emulator-export/ imported, and runs every jest project (unit + emulator) inside.
// Extra arguments go to jest, e.g. `npm test -- functions/test/ledger`.
// IMAGEGEN_PORT_OFFSET=100 runs a second stack beside a running `npm run dev`.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { repoRoot, firebaseBin, emulatorEnv, emulatorSource, firebaseConfigPath, ports, PROJECT_ID, REGION } from "./lib/env.mjs";

const started = Date.now();
const step = (msg) => console.log(`\n▶ ${msg} (+${((Date.now() - started) / 1000).toFixed(1)}s)`);

step("building workspaces");
const build = spawnSync("npm", ["run", "build", "--silent"], { cwd: repoRoot, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

let env;
try {
  env = emulatorEnv();
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
step(`emulator binaries: ${emulatorSource().source}`);

const p = ports();
const config = firebaseConfigPath();
const jestArgs = process.argv.slice(2);
const jestBin = path.join(repoRoot, "node_modules", ".bin", "jest");
const jestCmd = [jestBin, "--ci", ...jestArgs].map((a) => JSON.stringify(a)).join(" ");
const testEnv = {
  ...env,
  IMAGEGEN_TEST: "1",
  // The Functions emulator starts one worker process per concurrent request and gives each 30 s
  // to boot; 50 parallel creates on 2 cores need longer.
  FUNCTIONS_DISCOVERY_TIMEOUT: process.env.FUNCTIONS_DISCOVERY_TIMEOUT || "180",
  FUNCTIONS_BASE_URL: `http://127.0.0.1:${p.functions}/${PROJECT_ID}/${REGION}`,
  CLOUD_TASKS_EMULATOR_HOST: `127.0.0.1:${p.tasks}`,
  LOCAL_STORAGE_DIR: process.env.LOCAL_STORAGE_DIR || path.join(repoRoot, ".data", `test-storage-${p.functions}`),
};
fs.rmSync(testEnv.LOCAL_STORAGE_DIR, { recursive: true, force: true });

step("starting emulators and running jest");
const child = spawn(
  firebaseBin,
  ["emulators:exec", "--project", PROJECT_ID, "--config", config, "--only", "auth,firestore,functions,tasks,pubsub",
   "--import", path.join(repoRoot, "emulator-export"), jestCmd],
  { cwd: repoRoot, stdio: "inherit", env: testEnv },
);
const forward = (sig) => child.kill(sig);
process.on("SIGINT", forward);
process.on("SIGTERM", forward);
child.on("exit", (code, signal) => {
  if (config !== path.join(repoRoot, "firebase.json")) fs.rmSync(config, { force: true });
  step(`done: ${signal ?? `exit ${code}`}`);
  process.exit(code ?? 1);
});
