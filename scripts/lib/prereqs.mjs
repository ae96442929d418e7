// The first seconds of `npm test`, `npm run dev` and `.ci/run`: the doctor's machine checks (Node,
// Java, emulator binaries, Chromium when browser tests will run, curl and jq when the
// documentation's examples will, free ports). A missing Java, Chromium, curl or jq is installed
// with apt when this process may (root or passwordless sudo; it says so first, and
// IMAGEGEN_NO_INSTALL=1 turns that off); anything else stops the run at once with the command
// that fixes it, instead of failing minutes later.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { resolveEmulatorBinaries } from "./emulator-binaries.mjs";
import { checkJava, checkNode, checkPorts, line } from "./doctor/checks.mjs";
import { checkChromium, checkTool, DEFAULT_CHROMIUM, EXAMPLE_TOOLS, provisionPlan, stopMessage } from "./doctor/prereqs.mjs";
import { firebaseToolsVersion, javaVersionOutput, portTaken } from "./doctor/probes.mjs";
import { repoRoot } from "./env.mjs";

/** An executable named `name` in one of PATH's folders (no shell: PATH may be bare). */
function onPath(name) {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return path.join(dir, name);
    } catch {}
  }
  return null;
}

export const chromiumPath = () => process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM;

function chromiumLine() {
  const p = chromiumPath();
  const res = fs.existsSync(p) ? spawnSync(p, ["--version"], { encoding: "utf8", timeout: 15_000 }) : null;
  return checkChromium(p, res && !res.error && res.status === 0 ? res.stdout : null);
}

function emulatorLine() {
  try {
    return line("ok", "emulators", resolveEmulatorBinaries({ repoRoot }).source);
  } catch (e) {
    return line("fail", "emulators", e.message.split("\n")[0], "see `npm run doctor` for where the emulator binaries are looked for");
  }
}

function machineLines({ browser, emulators, examples }) {
  const out = [checkNode(process.version), checkJava(javaVersionOutput(), firebaseToolsVersion(repoRoot))];
  if (emulators) out.push(emulatorLine());
  if (browser) out.push(chromiumLine());
  if (examples) out.push(...EXAMPLE_TOOLS.map((t) => checkTool(t, onPath(t))));
  return out;
}

async function portLine(all, offset) {
  const busy = [];
  for (const [k, p] of Object.entries(all)) if (await portTaken(p)) busy.push(k);
  return checkPorts(all, busy, offset);
}

function installContext() {
  const apt = onPath("apt-get");
  const root = process.getuid?.() === 0;
  const sudo = !root && apt && onPath("sudo") && spawnSync("sudo", ["-n", "true"]).status === 0;
  return { apt, prefix: root ? [] : ["sudo", "-n"], canInstall: Boolean(apt && (root || sudo)) };
}

function aptInstall(prefix, packages) {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const run = (args) => spawnSync(prefix[0] ?? "apt-get", [...prefix.slice(1), ...(prefix.length ? ["apt-get"] : []), ...args], { stdio: "inherit", env }).status === 0;
  return run(["update", "-qq"]) && run(["install", "-y", "-qq", ...packages]);
}

/**
 * Checks (and where allowed, provisions) what `what` needs; exits the process with 1 and the fix
 * when something is missing. opts: {browser, emulators, examples (curl and jq), ports: {name: port}, offset}.
 */
export async function ensurePrereqs(what, opts) {
  const started = Date.now();
  let lines = machineLines(opts);
  if (opts.ports) lines.push(await portLine(opts.ports, opts.offset ?? 0));
  const ctx = installContext();
  const plan = provisionPlan(lines, { canInstall: ctx.canInstall, noInstall: Boolean(process.env.IMAGEGEN_NO_INSTALL), chromiumOverride: Boolean(process.env.CHROMIUM_PATH) });
  if (plan.packages.length) {
    console.log(`▶ ${plan.installs.join(" and ")} missing: installing ${plan.packages.join(" ")} with apt-get (as .ci/run does; IMAGEGEN_NO_INSTALL=1 stops instead)`);
    aptInstall(ctx.prefix, plan.packages);
    const again = machineLines(opts).filter((l) => plan.installs.includes(l.name) && l.status === "fail");
    plan.blocking.push(...again);
  }
  if (plan.blocking.length) {
    console.error(stopMessage(what, plan.blocking));
    process.exit(1);
  }
  const ok = lines.filter((l) => l.status === "ok").map((l) => l.name).join(", ");
  console.log(`prerequisites ok (${ok}; ${((Date.now() - started) / 1000).toFixed(1)}s)`);
}
