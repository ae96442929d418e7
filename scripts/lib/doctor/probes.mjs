// The I/O half of `npm run doctor`: processes, sockets, files, and the built packages whose own
// start-up code (loadConfig, the ComfyUI node check) the doctor runs.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { createRequire } from "node:module";
import { line, parseDotenv } from "./checks.mjs";

const require = createRequire(import.meta.url);

export function javaVersionOutput() {
  const res = spawnSync("java", ["-version"], { encoding: "utf8", timeout: 20_000 });
  return res.error ? null : `${res.stderr}${res.stdout}`;
}

export function firebaseToolsVersion(repoRoot) {
  try {
    return JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules", "firebase-tools", "package.json"), "utf8")).version;
  } catch {
    return null;
  }
}

/**
 * This project's emulator stack, when one runs on these ports: the hub lists its emulators and
 * the functions emulator serves this project's /health. Null when either does not answer.
 */
export async function runningStack(p, projectId, region) {
  // The functions emulator boots a worker for the first call: seconds on a loaded machine.
  const get = async (url, ms = 15_000) => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(ms) });
      return res.ok ? await res.json() : null;
    } catch {
      return null;
    }
  };
  const [hub, health] = await Promise.all([get(`http://127.0.0.1:${p.hub}/emulators`, 3000), get(`http://127.0.0.1:${p.functions}/${projectId}/${region}/health`)]);
  return hub && health?.status === "ok" ? { emulators: Object.keys(hub).filter((k) => k !== "hub") } : null;
}

/** True when something already listens on 127.0.0.1:port. */
export function portTaken(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", (e) => resolve(e.code === "EADDRINUSE" || e.code === "EACCES"));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(false)));
  });
}

function newestMtime(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) newest = Math.max(newest, fs.statSync(path.join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}

/** Builds a workspace when its lib/ is missing or older than its src/, so the checks run today's code. */
export function ensureBuilt(repoRoot, workspace) {
  const marker = path.join(repoRoot, workspace, "lib", "config.js");
  const stale = !fs.existsSync(marker) || fs.statSync(marker).mtimeMs < newestMtime(path.join(repoRoot, workspace, "src"));
  if (!stale) return null;
  const res = spawnSync("npm", ["run", "build", "-w", workspace, "--silent"], { cwd: repoRoot, encoding: "utf8" });
  return res.status === 0
    ? line("ok", "build", `${workspace} built (lib/ was missing or stale)`)
    : line("fail", "build", `${workspace} does not compile: ${(res.stdout + res.stderr).trim().split("\n").slice(0, 3).join(" | ")}`, `fix the TypeScript errors (npm run build -w ${workspace})`);
}

/** A module of a built workspace, e.g. `gpu-runner/lib/config.js`. */
export const loadBuilt = (repoRoot, rel) => require(path.join(repoRoot, rel));

/** Reads env files in order (later ones win); missing files are listed, unreadable lines reported. */
export function readEnvFiles(files) {
  const env = {};
  const read = [];
  const missing = [];
  const errors = [];
  for (const f of files) {
    if (!fs.existsSync(f)) {
      missing.push(f);
      continue;
    }
    const parsed = parseDotenv(fs.readFileSync(f, "utf8"));
    Object.assign(env, parsed.env);
    errors.push(...parsed.errors.map((e) => `${f} ${e}`));
    read.push(f);
  }
  return { env, read, missing, errors };
}

export function writableDir(dir) {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * ComfyUI at `url`: reachable, its version (from /system_stats), and one verdict per template:
 * would this ComfyUI accept it (node classes, required inputs, link types, baked-in choices)?
 */
export async function checkComfy(repoRoot, url, templatesDir, required) {
  const { ComfyHttp } = loadBuilt(repoRoot, "gpu-runner/lib/comfy/http-client.js");
  const { checkComfyNodes, describeNodeCheck } = loadBuilt(repoRoot, "gpu-runner/lib/comfy/node-check.js");
  const { loadTemplates, isTrainingTemplate } = loadBuilt(repoRoot, "gpu-runner/lib/comfy/templates.js");
  const { loraLoaderFor } = loadBuilt(repoRoot, "gpu-runner/lib/comfy/render-workflow.js");
  const comfy = new ComfyHttp(url);
  let stats;
  try {
    stats = await comfy.systemStats(3000);
  } catch {
    return required
      ? [line("fail", "comfyui", `nothing answers ${url}/system_stats`, "start ComfyUI there, or set COMFY_URL (--comfy-url) to where it runs")]
      : [line("skip", "comfyui", `not running at ${url}; \`npm run dev\` starts the fake one (set COMFY_URL or --comfy-url to check a real ComfyUI)`)];
  }
  const pinned = pinnedComfyRef(repoRoot);
  const version = ComfyHttp.versionOf(stats);
  const versionLine = line("ok", "comfyui version", `${url}: ComfyUI ${version ?? "(version not reported)"}; the runner image pins ${pinned ?? "(no COMFYUI_REF)"}`);
  const templates = loadTemplates(templatesDir);
  const check = await checkComfyNodes(comfy, templates, 30_000);
  const verdicts = Object.entries(check.templates).map(([name, v]) => v.ok
    ? line("ok", "template", `${name} (${v.training ? "training" : "generation"}): valid against this ComfyUI`)
    : line("fail", "template", `${name} (${v.training ? "training" : "generation"}): ${v.problems.length} problem(s); ${v.training ? "training" : "generation"} would be disabled`, "see the comfyui lines below"));
  if (check.ok) {
    // Custom models (issue 15) need ComfyUI's native training nodes and the LoRA loader the runner inserts.
    const training = [...templates.values()].filter(isTrainingTemplate).map((t) => t.name);
    const loaders = [...new Set([...templates.values()].map(loraLoaderFor).filter(Boolean))];
    return [
      versionLine, ...verdicts,
      line("ok", "comfyui", `${url}: all ${check.nodeTypes} node types and the checkpoints of ${templates.size} templates are present`),
      line("ok", "custom models", `training template ${training.join(", ") || "(none)"} and LoRA loader ${loaders.join(", ") || "(none)"} available in ComfyUI`),
    ];
  }
  return [versionLine, ...verdicts, ...describeNodeCheck(check).map((problem) =>
    line("fail", "comfyui", `${url}: ${problem}`, "install the missing custom node or model file in ComfyUI (then restart it), or change the template in gpu-runner/workflows"))];
}

/** The ComfyUI release the runner image builds (gpu-runner/Dockerfile's COMFYUI_REF). */
function pinnedComfyRef(repoRoot) {
  try {
    return fs.readFileSync(path.join(repoRoot, "gpu-runner", "Dockerfile"), "utf8").match(/^ARG COMFYUI_REF=(\S+)$/m)?.[1] ?? null;
  } catch {
    return null;
  }
}
