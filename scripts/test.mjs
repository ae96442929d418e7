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
import { repoRoot, emulatorSource, ports } from "./lib/env.mjs";
import { BACKEND_EMULATORS, buildWorkspaces, execInEmulators, stackEnv } from "./lib/exec-emulators.mjs";
import { ensurePrereqs } from "./lib/prereqs.mjs";
import { follow, newRunDir, windowLines } from "./lib/run-logs.mjs";
import { standInPort, startStripeStandIn } from "./lib/stripe-stand-in.mjs";

const started = Date.now();
const step = (msg) => console.log(`\n▶ ${msg} (+${((Date.now() - started) / 1000).toFixed(1)}s)`);
// Seconds each stage took, printed on one line at the end (the README quotes them).
const timings = [];
const timed = async (label, fn) => {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    timings.push(`${label} ${Math.round((Date.now() - t0) / 1000)} s`);
  }
};
const jestArgs = process.argv.slice(2);
const jestBin = path.join(repoRoot, "node_modules", ".bin", "jest");
const phases = process.env.IMAGEGEN_TEST_PHASES || "all";
const offset = Number(process.env.IMAGEGEN_PORT_OFFSET || 0);
const runnerPort = 8090 + offset;

/** The e2e and browser files the arguments select (an empty list skips phase 2's whole stack). */
function phase2Files() {
  if (phases === "main") return [];
  const list = spawnSync(jestBin, ["--listTests", ...jestArgs, "--selectProjects", "e2e", "browser"], { cwd: repoRoot, encoding: "utf8" });
  return list.status === 0 ? list.stdout.split("\n").filter((l) => /\.(e2e|browser)\.test\.ts$/.test(l)) : [];
}

// Prerequisites first, in seconds: never run for minutes and then fail on a missing binary.
const phase2 = phase2Files();
await ensurePrereqs("npm test", {
  emulators: true,
  browser: phase2.some((f) => f.endsWith(".browser.test.ts")),
  examples: phase2.some((f) => f.endsWith("doc-examples.e2e.test.ts")),
  ports: { ...ports(offset), runner: runnerPort, "stripe stand-in": standInPort() },
  offset,
});

step("type-checking and building workspaces");
await timed("typecheck + build", () => {
  if (spawnSync("npm", ["run", "typecheck", "--silent"], { cwd: repoRoot, stdio: "inherit" }).status !== 0) process.exit(1);
  buildWorkspaces();
});

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
const e2eEnv = {
  ...testEnv,
  DISPATCH_MODE: "tasks-emulator",
  RUNNER_URL: `http://127.0.0.1:${runnerPort}`,
  E2E_RUNNER_PORT: String(runnerPort),
  LOCAL_FILES_BASE_URL: `http://127.0.0.1:${runnerPort}/files`,
  // Checkout and the portal send the browser back to this stack's console (the Buy page).
  CHECKOUT_SUCCESS_URL: `http://127.0.0.1:${ports(offset).hosting}/?checkout=success#/buy`,
  CHECKOUT_CANCEL_URL: `http://127.0.0.1:${ports(offset).hosting}/?checkout=cancel#/buy`,
  PORTAL_RETURN_URL: `http://127.0.0.1:${ports(offset).hosting}/?portal=return#/buy`,
  TASKS_MAX_ATTEMPTS: "10",
  TASKS_MIN_BACKOFF_SECONDS: "1",
  TASKS_MAX_BACKOFF_SECONDS: "3",
  TASKS_MAX_DOUBLINGS: "2",
  RUNNER_CAPACITY: "4",
  // (The webhook queue's retry schedule is fixed at function discovery, which sees only
  // functions/.env* files, not this env: webhook retries run on the production defaults.)
};

// Quiet by default: the terminal shows progress, failures and the summary; the emulators' logs
// and jest's verbose report go to files in the run's folder. IMAGEGEN_TEST_VERBOSE=1 prints all.
const verbose = Boolean(process.env.IMAGEGEN_TEST_VERBOSE);
const runDir = verbose ? null : newRunDir(repoRoot);
const quietReporter = path.join(repoRoot, "scripts", "lib", "quiet-reporter.cjs");

/** Runs jest for `projects` inside a fresh emulator stack; resolves with the exit code. */
async function phase(label, slug, projects, phaseEnv, extraJest = [], only = BACKEND_EMULATORS) {
  const files = runDir && { console: path.join(runDir, `${slug}.console.txt`), jest: path.join(runDir, `${slug}.jest.log`), emulators: path.join(runDir, `${slug}.emulators.log`) };
  const reporters = files ? ["--reporters=default", `--reporters=${quietReporter}`] : [];
  // --selectProjects goes last: it takes every following bare word as a project name, which
  // would swallow a test path pattern.
  // Array options (--reporters) also swallow bare words: they go after the patterns too.
  const args = [jestBin, "--ci", "--passWithNoTests", ...extraJest, ...jestArgs, ...reporters, "--selectProjects", ...projects];
  const toLog = (append) => (files ? ` ${append ? ">>" : ">"} ${JSON.stringify(files.jest)} 2>&1` : "");
  const jestCmd = args.map((a) => JSON.stringify(a)).join(" ") + toLog(false);
  // The money audit is the phase's last step, in the same stack, whatever the tests' outcome:
  // every wallet they left must satisfy the credit rules (test-support/money-audit).
  const auditCmd = [jestBin, "--ci", ...reporters, "--selectProjects", "audit"].map((a) => JSON.stringify(a)).join(" ") + toLog(true);
  const command = `${jestCmd}; tests=$?; ${auditCmd}; audit=$?; [ $tests -ne 0 ] && exit $tests; exit $audit`;
  step(`${label}: starting emulators and running jest (${projects.join(", ")}), then the money audit`);
  const follower = files && follow(files.console, (t) => process.stdout.write(t));
  const env = files ? { ...phaseEnv, IMAGEGEN_TEST_CONSOLE: files.console } : phaseEnv;
  const code = await execInEmulators(command, env, only, files?.emulators);
  follower?.stop();
  if (files && code !== 0) explainFailure(files);
  step(`${label} done: exit ${code}`);
  return code;
}

/** After a failed phase: each failing file's window of the emulators' log, and where the rest is. */
function explainFailure(files) {
  const logText = fs.existsSync(files.emulators) ? fs.readFileSync(files.emulators, "utf8") : "";
  const failuresFile = `${files.console}.failures.json`;
  if (!fs.existsSync(failuresFile)) {
    // jest never finished (the emulators did not start, or jest crashed): the logs' tails say why.
    const tail = (f, n) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8").trim().split("\n").slice(-n).join("\n") : "(no output)");
    console.log(`\njest's last lines:\n${tail(files.jest, 20)}\n\nthe emulators' last lines:\n${logText.trim().split("\n").slice(-20).join("\n")}`);
  } else {
    for (const f of JSON.parse(fs.readFileSync(failuresFile, "utf8"))) {
      const lines = windowLines(logText, f.start, f.end);
      console.log(`\nemulator and function log while ${f.file} ran (${lines.length} notable lines):\n${lines.join("\n") || "(none)"}`);
    }
  }
  console.log(`\nfull logs: ${path.relative(repoRoot, files.jest)} (jest, verbose), ${path.relative(repoRoot, files.emulators)} (emulators and functions)`);
}

// One stand-in for Stripe's API for the whole run: test files running side by side share it.
const stripeStandIn = await startStripeStandIn().catch((e) => {
  console.error(`cannot start the local Stripe stand-in on port ${standInPort()}: ${e.message} (another test run? set IMAGEGEN_PORT_OFFSET)`);
  process.exit(1);
});
let code = phases === "e2e" ? 0 : await timed("phase 1", () => phase("phase 1 (unit + emulator)", "phase1", ["unit", "emulator"], testEnv));
if (code === 0 && phase2.length > 0) {
  // One stack of runners on one port: e2e and browser files run one at a time.
  code = await timed("phase 2", () => phase("phase 2 (e2e + browser, Tasks emulator -> runner, Hosting)", "phase2", ["e2e", "browser"], e2eEnv, ["--runInBand"], `${BACKEND_EMULATORS},hosting`));
}
await stripeStandIn.close();
step(`done: exit ${code}; ${timings.join(", ")}, total ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(code);
