// Runs one command inside `firebase emulators:exec` with the project's emulator stack and the
// environment the tests and benchmarks expect (ports, storage dir, offline binaries).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { timestampedSink } from "./run-logs.mjs";
import { repoRoot, firebaseBin, emulatorEnv, firebaseConfigPath, ports, PROJECT_ID, REGION } from "./env.mjs";

export function buildWorkspaces() {
  const build = spawnSync("npm", ["run", "build", "--silent"], { cwd: repoRoot, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

/** Environment shared by every process of a stack: the CLI, the functions it runs, the command. */
export function stackEnv(extra = {}) {
  const p = ports();
  return emulatorEnv({
    FUNCTIONS_BASE_URL: `http://127.0.0.1:${p.functions}/${PROJECT_ID}/${REGION}`,
    CLOUD_TASKS_EMULATOR_HOST: `127.0.0.1:${p.tasks}`,
    LOCAL_STORAGE_DIR: process.env.LOCAL_STORAGE_DIR || path.join(repoRoot, ".data", `test-storage-${p.functions}`),
    // The Functions emulator starts one worker process per concurrent request and gives each 30 s
    // to boot; bursts of 50 parallel requests on 2 cores need longer.
    FUNCTIONS_DISCOVERY_TIMEOUT: process.env.FUNCTIONS_DISCOVERY_TIMEOUT || "180",
    ...extra,
  });
}

export const BACKEND_EMULATORS = "auth,firestore,functions,tasks,pubsub";

/**
 * Resolves with the command's exit code once the emulators have shut down. With `logFile`, the
 * emulators' and functions' output goes there, each line timestamped, instead of the terminal.
 */
export function execInEmulators(command, env, only = BACKEND_EMULATORS, logFile = null) {
  const config = firebaseConfigPath();
  const child = spawn(
    firebaseBin,
    ["emulators:exec", "--project", PROJECT_ID, "--config", config, "--only", only,
     "--import", path.join(repoRoot, "emulator-export"), command],
    { cwd: repoRoot, stdio: logFile ? ["ignore", "pipe", "pipe"] : "inherit", env },
  );
  const sink = logFile ? timestampedSink(logFile) : null;
  if (sink) for (const s of [child.stdout, child.stderr]) s.on("data", (d) => sink.write(d.toString("utf8")));
  const forward = (sig) => child.kill(sig);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  return new Promise((resolve) => {
    let done = false;
    const finish = (code, signal) => {
      if (done) return;
      done = true;
      sink?.close();
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      if (config !== path.join(repoRoot, "firebase.json")) fs.rmSync(config, { force: true });
      resolve(signal ? 1 : (code ?? 1));
    };
    // "close" comes once the pipes have drained; a lingering grandchild holding them open must not
    // hold the run, so "exit" finishes it after a short grace period.
    child.on("close", finish);
    child.on("exit", (code, signal) => setTimeout(() => finish(code, signal), 3000).unref());
  });
}
