#!/usr/bin/env node
// `npm run doctor`: what is wrong with this machine or configuration, before anything else says so.
//   npm run doctor                      emulator mode: versions, emulator binaries, ports, the dev
//                                       configuration, ComfyUI (if one answers)
//   npm run doctor -- --project <id>    a deployed project: functions/.env + functions/.env.<id>,
//                                       the runner's image ENV + gpu-runner/.env.<id>
//   --comfy-url <url>                   check this ComfyUI's nodes (e.g. the GPU host's)
//   --functions-env <file>, --runner-env <file>   other env files (repeatable / one)
// The configuration checks call the same loadConfig the functions and the runner run at start-up.
// Exit code 1 when any line fails.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { resolveEmulatorBinaries } from "./lib/emulator-binaries.mjs";
import { ports, PROJECT_ID, REGION, repoRoot } from "./lib/env.mjs";
import { checkJava, checkNode, checkPorts, crossCheck, describeRunner, formatLine, line, parseDockerfileEnv } from "./lib/doctor/checks.mjs";
import { checkComfy, ensureBuilt, firebaseToolsVersion, javaVersionOutput, loadBuilt, portTaken, readEnvFiles, runningStack, writableDir } from "./lib/doctor/probes.mjs";

const { values: args } = parseArgs({
  options: {
    project: { type: "string" }, "comfy-url": { type: "string" },
    "functions-env": { type: "string", multiple: true }, "runner-env": { type: "string" },
  },
});
const offset = Number(process.env.IMAGEGEN_PORT_OFFSET || 0);
const project = args.project ?? null;
const lines = [];
const add = (...ls) => lines.push(...ls.flat().filter(Boolean));
/** A path as the user would type it: relative inside the repo, absolute elsewhere. */
const shown = (f) => (path.relative(repoRoot, f).startsWith("..") ? f : path.relative(repoRoot, f));

/** Runs a package's loadConfig on `env`: one ok line, or one fail line per variable it names. */
function configLines(name, loadConfig, env, where, fixWhere) {
  try {
    return { config: loadConfig(env), lines: [line("ok", name, `valid (${where})`)] };
  } catch (e) {
    const issues = String(e.message).split("\n").slice(1).map((l) => l.trim()).filter(Boolean);
    return { config: null, lines: (issues.length ? issues : [String(e.message)]).map((i) => line("fail", name, i, `set it in ${fixWhere}`)) };
  }
}

function machineChecks() {
  add(checkNode(process.version));
  add(checkJava(javaVersionOutput(), firebaseToolsVersion(repoRoot)));
  try {
    const b = resolveEmulatorBinaries({ repoRoot });
    add(line("ok", "emulators", `${b.source}: ${b.details.join(", ")}`));
  } catch (e) {
    const [first, ...rest] = e.message.split("\n");
    add(line("fail", "emulators", first, rest.filter((l) => l.trim().startsWith("*")).map((l) => l.trim().slice(2)).join("; or ")));
  }
}

async function portChecks(withComfy) {
  const all = { ...ports(offset), runner: 8090 + offset, ...(withComfy ? { comfyui: 8188 + offset } : {}) };
  const busy = [];
  for (const [k, p] of Object.entries(all)) if (await portTaken(p)) busy.push(k);
  const stack = busy.length ? await runningStack(ports(offset), PROJECT_ID, REGION) : null;
  add(checkPorts(all, busy, offset, stack));
}

/** The environments `npm run dev` gives the functions emulator and the runner. */
function emulatorEnvs() {
  const p = ports(offset);
  const runnerPort = 8090 + offset;
  const fakeComfy = !process.env.COMFY_URL;
  const comfyUrl = process.env.COMFY_URL || `http://127.0.0.1:${8188 + offset}`;
  const storage = process.env.LOCAL_STORAGE_DIR || path.join(repoRoot, ".data", "storage");
  const files = ["functions/.env", `functions/.env.${PROJECT_ID}`, "functions/.env.local"].map((f) => path.join(repoRoot, f));
  const fnFiles = readEnvFiles(files);
  const emulators = { FIRESTORE_EMULATOR_HOST: `127.0.0.1:${p.firestore}`, FIREBASE_AUTH_EMULATOR_HOST: `127.0.0.1:${p.auth}`, GCLOUD_PROJECT: PROJECT_ID };
  const functions = {
    ...process.env, ...fnFiles.env, ...emulators, FUNCTIONS_EMULATOR: "true", RUNNER_URL: `http://127.0.0.1:${runnerPort}`,
    LOCAL_FILES_BASE_URL: `http://127.0.0.1:${runnerPort}/files`, LOCAL_STORAGE_DIR: storage, CLOUD_TASKS_EMULATOR_HOST: `127.0.0.1:${p.tasks}`,
  };
  const comfyBaseDir = fakeComfy ? path.join(repoRoot, ".data", `comfy-${8188 + offset}`) : process.env.COMFY_BASE_DIR;
  const runner = { ...process.env, ...emulators, PORT: String(runnerPort), HOST: "127.0.0.1", COMFY_URL: comfyUrl, LOCAL_STORAGE_DIR: storage, ...(comfyBaseDir ? { COMFY_BASE_DIR: comfyBaseDir } : {}) };
  return { functions, runner, comfyUrl, fakeComfy, fnFiles };
}

/** A deployed project's environments: what `firebase deploy` and the runner's image would see. */
function projectEnvs(id) {
  const fnFiles = readEnvFiles(args["functions-env"] ?? [path.join(repoRoot, "functions", ".env"), path.join(repoRoot, "functions", `.env.${id}`)]);
  const runnerFile = args["runner-env"] ?? path.join(repoRoot, "gpu-runner", `.env.${id}`);
  const runnerFiles = readEnvFiles([runnerFile]);
  const image = parseDockerfileEnv(fs.readFileSync(path.join(repoRoot, "gpu-runner", "Dockerfile"), "utf8"));
  return { functions: { ...fnFiles.env, GCLOUD_PROJECT: id }, runner: { ...image, ...runnerFiles.env }, fnFiles, runnerFiles, runnerFile };
}

function envFileLines(name, files, requiredFile) {
  const out = files.errors.map((e) => line("fail", name, e, "write KEY=value, one per line"));
  if (requiredFile && files.missing.includes(requiredFile))
    out.push(line("fail", name, `${shown(requiredFile)} not found`, "write the runner's deployed variables there (KEY=value: RUNNER_AUTH_MODE, OIDC_AUDIENCE, OIDC_SERVICE_ACCOUNT, STORAGE_BUCKET, ...), the same ones you deploy with"));
  return out;
}

function folderLine(runner, fakeComfy) {
  const { comfyFolders } = loadBuilt(repoRoot, "gpu-runner/lib/config.js");
  const folders = comfyFolders(runner);
  if (project) return line("ok", "comfy folders", `${folders.input}, ${folders.output} (inside the image; the runner deletes each job's files there)`);
  if (!folders) return line("skip", "comfy folders", "COMFY_BASE_DIR not set: ComfyUI's input/output files are never deleted", "set COMFY_BASE_DIR to the ComfyUI folder the runner shares");
  const ok = writableDir(folders.input) && writableDir(folders.output);
  return ok
    ? line("ok", "comfy folders", `${path.relative(repoRoot, folders.input) || folders.input}, ${path.relative(repoRoot, folders.output) || folders.output} writable${fakeComfy ? " (shared with the fake ComfyUI)" : ""}`)
    : line("fail", "comfy folders", `${folders.input} or ${folders.output} is not writable`, "run the runner as the user ComfyUI writes its files as, or fix the folder permissions");
}

async function main() {
  console.log(`imagegen doctor: ${project ? `deployed project ${project}` : `emulator mode (IMAGEGEN_PORT_OFFSET=${offset})`}`);
  if (project) add(checkNode(process.version));
  else machineChecks();
  for (const ws of ["functions", "gpu-runner"]) add(ensureBuilt(repoRoot, ws));
  if (lines.some((l) => l.name === "build" && l.status === "fail")) return finish();
  const envs = project ? projectEnvs(project) : emulatorEnvs();
  if (!project) await portChecks(envs.fakeComfy);
  // loadConfig decides the mode from the env it is given; emulator variables left in this shell
  // must not make a deployed check look like the emulator (or the other way round).
  if (project) for (const k of ["FUNCTIONS_EMULATOR", "FIRESTORE_EMULATOR_HOST", "FIREBASE_AUTH_EMULATOR_HOST"]) delete process.env[k];
  else Object.assign(process.env, { FUNCTIONS_EMULATOR: "true", FIRESTORE_EMULATOR_HOST: envs.functions.FIRESTORE_EMULATOR_HOST });
  add(envFileLines("functions env", envs.fnFiles, null));
  if (project) add(envFileLines("runner env", envs.runnerFiles, envs.runnerFile));
  const fnWhere = project ? (args["functions-env"]?.map(shown).join(" or ") ?? `functions/.env.${project}`) : "functions/.env.local";
  const runnerWhere = project ? shown(envs.runnerFile) : "the environment of `npm run dev`";
  const fn = configLines("functions config", loadBuilt(repoRoot, "functions/lib/config.js").loadConfig, envs.functions, project ? `deployed: ${envs.fnFiles.read.map(shown).join(" + ") || "no env file"}` : "emulator", fnWhere);
  const runner = configLines("runner config", loadBuilt(repoRoot, "gpu-runner/lib/config.js").loadConfig, envs.runner, project ? "production mode: image ENV + runner env file" : "development mode", runnerWhere);
  add(fn.lines, runner.lines);
  if (runner.config) add(describeRunner(runner.config), folderLine(runner.config, envs.fakeComfy));
  if (fn.config && runner.config) add(crossCheck(fn.config, runner.config));
  const comfyUrl = args["comfy-url"] ?? (project ? null : envs.comfyUrl);
  const templatesDir = path.join(repoRoot, "gpu-runner", "workflows");
  if (comfyUrl) add(await checkComfy(repoRoot, comfyUrl, templatesDir, Boolean(args["comfy-url"] || process.env.COMFY_URL)));
  else add(line("skip", "comfyui", "the GPU host's ComfyUI is not reachable from here; pass --comfy-url http://<gpu-host>:8188 to check its nodes"));
  finish();
}

function finish() {
  for (const l of lines) console.log(formatLine(l));
  const failed = lines.filter((l) => l.status === "fail").length;
  console.log(failed ? `\n${failed} problem(s) found.` : "\nall checks passed.");
  process.exit(failed ? 1 : 0);
}

await main();
