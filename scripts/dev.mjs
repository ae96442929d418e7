#!/usr/bin/env node
// `npm run dev`: the whole backend on one laptop, offline.
//   emulators (auth, firestore, functions, tasks, pubsub, hosting: the console, /docs and
//   /openapi.json) with emulator-export/ imported,
//   tsc --watch for the functions (the Functions emulator reloads on change),
//   the fake ComfyUI on :8188 (or COMFY_URL to use a real one) and the gpu-runner on :8090.
// Ctrl-C stops every child process group and waits for the emulators to shut down.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { standInPort, startStripeStandIn } from "./lib/stripe-stand-in.mjs";
import { repoRoot, firebaseBin, emulatorEnv, emulatorSource, firebaseConfigPath, ports, PROJECT_ID, REGION } from "./lib/env.mjs";
import { ensurePrereqs } from "./lib/prereqs.mjs";

const started = Date.now();
const since = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (msg) => console.log(`[dev +${since()}] ${msg}`);
const p = ports();
const runnerPort = 8090 + Number(process.env.IMAGEGEN_PORT_OFFSET || 0);
const comfyPort = 8188 + Number(process.env.IMAGEGEN_PORT_OFFSET || 0);
const comfyUrl = process.env.COMFY_URL || `http://127.0.0.1:${comfyPort}`;
const functionsBase = `http://127.0.0.1:${p.functions}/${PROJECT_ID}/${REGION}`;
const storageDir = process.env.LOCAL_STORAGE_DIR || path.join(repoRoot, ".data", "storage");

await ensurePrereqs("npm run dev", {
  emulators: true,
  ports: { ...p, runner: runnerPort, ...(process.env.COMFY_URL ? {} : { comfyui: comfyPort }) },
  offset: Number(process.env.IMAGEGEN_PORT_OFFSET || 0),
});
say("building functions and gpu-runner");
const build = spawnSync("npm", ["run", "build", "--silent"], { cwd: repoRoot, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

let env;
try {
  env = emulatorEnv({
    DISPATCH_MODE: process.env.DISPATCH_MODE || "tasks-emulator",
    RUNNER_URL: `http://127.0.0.1:${runnerPort}`,
    LOCAL_FILES_BASE_URL: `http://127.0.0.1:${runnerPort}/files`,
    LOCAL_STORAGE_DIR: storageDir,
    CLOUD_TASKS_EMULATOR_HOST: `127.0.0.1:${p.tasks}`,
    // Checkout and the customer portal work offline: the functions talk to the local Stripe stand-in.
    STRIPE_API_BASE: `http://127.0.0.1:${standInPort()}`,
    CHECKOUT_SUCCESS_URL: `http://127.0.0.1:${p.hosting}/?checkout=success#/buy`,
    CHECKOUT_CANCEL_URL: `http://127.0.0.1:${p.hosting}/?checkout=cancel#/buy`,
    PORTAL_RETURN_URL: `http://127.0.0.1:${p.hosting}/?portal=return#/buy`,
  });
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
say(`emulator binaries: ${emulatorSource().source}`);

const children = [];
function start(name, cmd, args, extraEnv = {}) {
  // Own process group per child, so stopping it also stops what it started (the emulators' JVMs).
  const child = spawn(cmd, args, { cwd: repoRoot, env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const prefix = (line) => line && console.log(`${name.padEnd(8)}| ${line}`);
  for (const stream of [child.stdout, child.stderr]) {
    let buf = "";
    stream.on("data", (d) => {
      buf += d;
      const lines = buf.split("\n");
      buf = lines.pop();
      lines.forEach(prefix);
    });
  }
  child.on("exit", (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping everything`);
      void stop(1);
    }
  });
  children.push({ name, child });
  return child;
}

const emulatorEnvFor = {
  FIRESTORE_EMULATOR_HOST: `127.0.0.1:${p.firestore}`,
  FIREBASE_AUTH_EMULATOR_HOST: `127.0.0.1:${p.auth}`,
  GCLOUD_PROJECT: PROJECT_ID,
};

// The Stripe stand-in runs in this process: its checkout and portal pages send signed webhooks to the functions.
const stripeStandIn = await startStripeStandIn().catch((e) => {
  console.error(`the Stripe stand-in could not listen on ${standInPort()}: ${e.message}`);
  process.exit(1);
});
start("emulator", firebaseBin, ["emulators:start", "--project", PROJECT_ID, "--config", firebaseConfigPath(), "--only", "auth,firestore,functions,tasks,pubsub,hosting", "--import", path.join(repoRoot, "emulator-export")]);
start("tsc", "npm", ["run", "build:watch", "-w", "functions", "--silent"]);
// The fake ComfyUI's folders are shared with the runner, which deletes each job's files there.
const comfyBaseDir = path.join(repoRoot, ".data", `comfy-${comfyPort}`);
if (!process.env.COMFY_URL) {
  start("comfy", process.execPath, [path.join(repoRoot, "fake-comfyui/lib/main.js")], { FAKE_COMFY_PORT: String(comfyPort), FAKE_COMFY_BASE_DIR: comfyBaseDir });
}
start("runner", process.execPath, [path.join(repoRoot, "gpu-runner/lib/main.js")], {
  ...emulatorEnvFor,
  ...(process.env.COMFY_URL ? {} : { COMFY_BASE_DIR: comfyBaseDir }),
  PORT: String(runnerPort),
  HOST: "127.0.0.1",
  COMFY_URL: comfyUrl,
  LOCAL_STORAGE_DIR: storageDir,
});

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  say("stopping…");
  await stripeStandIn.close();
  const alive = (c) => c.exitCode === null && c.signalCode === null;
  for (const { child } of children) if (alive(child)) try { process.kill(-child.pid, "SIGINT"); } catch {}
  const deadline = Date.now() + 20_000;
  while (children.some(({ child }) => alive(child)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  for (const { child } of children) try { process.kill(-child.pid, "SIGKILL"); } catch {}
  say("stopped");
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

async function waitFor(url, what) {
  for (;;) {
    if (stopping) return;
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
}

await waitFor(`${functionsBase}/health`, "functions");
await waitFor(`http://127.0.0.1:${p.hosting}/api/health`, "hosting");
await waitFor(`http://127.0.0.1:${runnerPort}/readyz`, "runner");
if (stopping) process.exit(1);
console.log(`
────────────────────────────────────────────────────────────────────────
 imagegen backend is up (${since()})

   console     http://127.0.0.1:${p.hosting}/       API reference http://127.0.0.1:${p.hosting}/docs/
   openapi     http://127.0.0.1:${p.hosting}/openapi.json   requests for VS Code / JetBrains: api.http
   functions   ${functionsBase}/<name>
   auth        http://127.0.0.1:${p.auth}      firestore http://127.0.0.1:${p.firestore}
   tasks       http://127.0.0.1:${p.tasks}      pubsub    http://127.0.0.1:${p.pubsub}
   gpu-runner  http://127.0.0.1:${runnerPort}      ComfyUI   ${comfyUrl}${process.env.COMFY_URL ? "" : " (fake)"}
   stripe      http://127.0.0.1:${standInPort()} (local stand-in: Buy in the console opens its checkout page)
   outputs     ${storageDir}

 First request (user1@example.com / password123 has 10 credits):

   TOKEN=$(curl -s -X POST 'http://127.0.0.1:${p.auth}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=any' \\
     -H 'content-type: application/json' \\
     -d '{"email":"user1@example.com","password":"password123","returnSecureToken":true}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).idToken')
   curl -s -X POST ${functionsBase}/createGenerationRequest \\
     -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
     -d '{"model":"A","style":"realistic","color":"vibrant","size":"512x512","prompt":"A cat in space"}'

 Or run the scripted demo in another terminal:  npm run demo
 Ctrl-C stops everything.
────────────────────────────────────────────────────────────────────────
`);
