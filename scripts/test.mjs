#!/usr/bin/env node
// `npm test`: builds the workspaces, starts the emulators (auth, firestore, functions, tasks,
// pubsub) with emulator-export/ imported and runs the unit + emulator jest projects inside; when
// that passes, a second emulator stack runs the e2e project with real dispatch (see phase 2).
// Extra arguments go to jest in both phases, e.g. `npm test -- functions/test/ledger`.
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
const runnerPort = 8090 + Number(process.env.IMAGEGEN_PORT_OFFSET || 0);
const testEnv = {
  ...env,
  IMAGEGEN_TEST: "1",
  // Phase 1's emulator tests expect requests to stay queued: no runner, dispatch only recorded.
  DISPATCH_MODE: "record",
  // The Functions emulator starts one worker process per concurrent request and gives each 30 s
  // to boot; 50 parallel creates on 2 cores need longer.
  FUNCTIONS_DISCOVERY_TIMEOUT: process.env.FUNCTIONS_DISCOVERY_TIMEOUT || "180",
  FUNCTIONS_BASE_URL: `http://127.0.0.1:${p.functions}/${PROJECT_ID}/${REGION}`,
  CLOUD_TASKS_EMULATOR_HOST: `127.0.0.1:${p.tasks}`,
  LOCAL_STORAGE_DIR: process.env.LOCAL_STORAGE_DIR || path.join(repoRoot, ".data", `test-storage-${p.functions}`),
};
fs.rmSync(testEnv.LOCAL_STORAGE_DIR, { recursive: true, force: true });

// Phase 2: the whole loop. The functions emulator inherits this env, so its dispatcher enqueues
// on the Tasks emulator, which pushes to RUNNER_URL, where the e2e tests put their runners.
// Backoffs are shortened (seconds, not minutes) so retries happen within a test's patience.
const e2eEnv = {
  ...testEnv,
  DISPATCH_MODE: "tasks-emulator",
  RUNNER_URL: `http://127.0.0.1:${runnerPort}`,
  E2E_RUNNER_PORT: String(runnerPort),
  LOCAL_FILES_BASE_URL: `http://127.0.0.1:${runnerPort}/files`,
  TASKS_MAX_ATTEMPTS: "10",
  TASKS_MIN_BACKOFF_SECONDS: "1",
  TASKS_MAX_BACKOFF_SECONDS: "3",
  TASKS_MAX_DOUBLINGS: "2",
  RUNNER_CAPACITY: "4",
  // (The webhook queue's retry schedule is fixed at function discovery, which sees only
  // functions/.env* files, not this env: webhook retries run on the production defaults.)
};

/** Runs jest for `projects` inside a fresh emulator stack; resolves with the exit code. */
function phase(label, projects, phaseEnv, extraJest = []) {
  // --selectProjects goes last: it takes every following bare word as a project name, which
  // would swallow a test path pattern.
  const jestCmd = [jestBin, "--ci", "--passWithNoTests", ...extraJest, ...jestArgs, "--selectProjects", ...projects].map((a) => JSON.stringify(a)).join(" ");
  step(`${label}: starting emulators and running jest (${projects.join(", ")})`);
  const child = spawn(
    firebaseBin,
    ["emulators:exec", "--project", PROJECT_ID, "--config", config, "--only", "auth,firestore,functions,tasks,pubsub",
     "--import", path.join(repoRoot, "emulator-export"), jestCmd],
    { cwd: repoRoot, stdio: "inherit", env: phaseEnv },
  );
  const forward = (sig) => child.kill(sig);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  return new Promise((resolve) => child.on("exit", (code, signal) => {
    process.off("SIGINT", forward);
    process.off("SIGTERM", forward);
    step(`${label} done: ${signal ?? `exit ${code}`}`);
    resolve(code ?? 1);
  }));
}

/** Whether the arguments select any e2e test file (skips a whole emulator start when not). */
function anyE2eTests() {
  const list = spawnSync(jestBin, ["--listTests", ...jestArgs, "--selectProjects", "e2e"], { cwd: repoRoot, encoding: "utf8" });
  return list.status === 0 && list.stdout.split("\n").some((l) => l.endsWith(".e2e.test.ts"));
}

// IMAGEGEN_TEST_PHASES=main|e2e runs one phase only (iterating on one side); default both.
const phases = process.env.IMAGEGEN_TEST_PHASES || "all";
let code = phases === "e2e" ? 0 : await phase("phase 1 (unit + emulator)", ["unit", "emulator"], testEnv);
if (code === 0 && phases !== "main" && anyE2eTests()) {
  // One stack of runners on one port: e2e files run one at a time.
  code = await phase("phase 2 (e2e, Tasks emulator -> runner)", ["e2e"], e2eEnv, ["--runInBand"]);
}
if (config !== path.join(repoRoot, "firebase.json")) fs.rmSync(config, { force: true });
step(`done: exit ${code}`);
process.exit(code);
