#!/usr/bin/env node
// `npm test`: type-checks and builds the workspaces, starts the emulators (auth, firestore,
// functions, tasks, pubsub) with emulator-export/ imported and runs the unit + emulator jest
// projects inside; when that passes, a second emulator stack runs the e2e project with real
// dispatch (phase 2). Extra arguments go to jest in both phases, e.g.
// `npm test -- functions/test/ledger`. IMAGEGEN_PORT_OFFSET=1000 runs a second stack beside
// `npm run dev`; IMAGEGEN_TEST_PHASES=main|e2e runs one phase only. Phase 2 also serves the
// console on the Hosting emulator and runs the browser project (*.browser.test.ts) there. Each
// phase ends with the money audit (jest project `audit`) in its own stack.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { repoRoot, emulatorSource } from "./lib/env.mjs";
import { BACKEND_EMULATORS, buildWorkspaces, execInEmulators, stackEnv } from "./lib/exec-emulators.mjs";
import { standInPort, startStripeStandIn } from "./lib/stripe-stand-in.mjs";

const started = Date.now();
const step = (msg) => console.log(`\n▶ ${msg} (+${((Date.now() - started) / 1000).toFixed(1)}s)`);

step("type-checking and building workspaces");
if (spawnSync("npm", ["run", "typecheck", "--silent"], { cwd: repoRoot, stdio: "inherit" }).status !== 0) process.exit(1);
buildWorkspaces();

let testEnv;
try {
  // Phase 1's emulator tests expect requests to stay queued: no runner, dispatch only recorded.
  // STRIPE_API_BASE: the functions' Stripe client talks to the tests' local stand-in (issue 16).
  testEnv = stackEnv({ IMAGEGEN_TEST: "1", DISPATCH_MODE: "record", STRIPE_API_BASE: `http://127.0.0.1:${standInPort()}` });
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
step(`emulator binaries: ${emulatorSource().source}`);
fs.rmSync(testEnv.LOCAL_STORAGE_DIR, { recursive: true, force: true });

// Phase 2: the whole loop. The functions emulator inherits this env, so its dispatcher enqueues
// on the Tasks emulator, which pushes to RUNNER_URL, where the e2e tests put their runners.
// Backoffs are shortened (seconds, not minutes) so retries happen within a test's patience.
const runnerPort = 8090 + Number(process.env.IMAGEGEN_PORT_OFFSET || 0);
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

const jestArgs = process.argv.slice(2);
const jestBin = path.join(repoRoot, "node_modules", ".bin", "jest");

/** Runs jest for `projects` inside a fresh emulator stack; resolves with the exit code. */
async function phase(label, projects, phaseEnv, extraJest = [], only = BACKEND_EMULATORS) {
  // --selectProjects goes last: it takes every following bare word as a project name, which
  // would swallow a test path pattern.
  const jestCmd = [jestBin, "--ci", "--passWithNoTests", ...extraJest, ...jestArgs, "--selectProjects", ...projects].map((a) => JSON.stringify(a)).join(" ");
  // The money audit is the phase's last step, in the same stack, whatever the tests' outcome:
  // every wallet they left must satisfy the credit rules (test-support/money-audit).
  const auditCmd = [jestBin, "--ci", "--selectProjects", "audit"].map((a) => JSON.stringify(a)).join(" ");
  const command = `${jestCmd}; tests=$?; ${auditCmd}; audit=$?; [ $tests -ne 0 ] && exit $tests; exit $audit`;
  step(`${label}: starting emulators and running jest (${projects.join(", ")}), then the money audit`);
  const code = await execInEmulators(command, phaseEnv, only);
  step(`${label} done: exit ${code}`);
  return code;
}

/** Whether the arguments select any e2e or browser test file (skips a whole emulator start when not). */
function anyPhase2Tests() {
  const list = spawnSync(jestBin, ["--listTests", ...jestArgs, "--selectProjects", "e2e", "browser"], { cwd: repoRoot, encoding: "utf8" });
  return list.status === 0 && list.stdout.split("\n").some((l) => /\.(e2e|browser)\.test\.ts$/.test(l));
}

// One stand-in for Stripe's API for the whole run: test files running side by side share it.
const stripeStandIn = await startStripeStandIn().catch((e) => {
  console.error(`cannot start the local Stripe stand-in on port ${standInPort()}: ${e.message} (another test run? set IMAGEGEN_PORT_OFFSET)`);
  process.exit(1);
});
const phases = process.env.IMAGEGEN_TEST_PHASES || "all";
let code = phases === "e2e" ? 0 : await phase("phase 1 (unit + emulator)", ["unit", "emulator"], testEnv);
if (code === 0 && phases !== "main" && anyPhase2Tests()) {
  // One stack of runners on one port: e2e and browser files run one at a time.
  code = await phase("phase 2 (e2e + browser, Tasks emulator -> runner, Hosting)", ["e2e", "browser"], e2eEnv, ["--runInBand"], `${BACKEND_EMULATORS},hosting`);
}
await stripeStandIn.close();
step(`done: exit ${code}`);
process.exit(code);
