// Pure half of the start-up check that `npm test`, `npm run dev` and `.ci/run` share: which
// prerequisite is missing, and whether this machine may install it itself (root or passwordless
// sudo, apt-get on PATH) or the user must. Lines use the doctor's `{status, name, text, fix}`.
import { line } from "./checks.mjs";

export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/** What apt installs for each missing prerequisite (the same packages .ci/run always installed). */
export const APT_PACKAGES = {
  java: ["openjdk-17-jre-headless"],
  chromium: ["chromium", "fonts-liberation"],
  curl: ["curl"],
  jq: ["jq"],
};

/** The tools the documentation's examples call; the e2e test runs those examples. */
export const EXAMPLE_TOOLS = ["curl", "jq"];

/** A tool of EXAMPLE_TOOLS: `found` is its path on PATH, or null. */
export function checkTool(name, found) {
  if (found) return line("ok", name, found);
  return line("fail", name, `no ${name} on PATH (the documentation's examples use it, and a test runs them)`, `apt-get install -y ${name} (as root)`);
}

/**
 * `chromium --version` prints e.g. "Chromium 156.0.8078.73 built on Debian ...". `path` is where
 * the browser tests will look (CHROMIUM_PATH or Debian's default); `output` is null when it did
 * not run at all.
 */
export function checkChromium(path, output) {
  const m = /Chromium\s+(\d+[\d.]*)/i.exec(output ?? "") ?? /(\d+\.\d+\.\d+\.\d+)/.exec(output ?? "");
  if (m) return line("ok", "chromium", `${path}: ${m[0]}`);
  const fix = path === DEFAULT_CHROMIUM
    ? "apt-get install -y chromium fonts-liberation (as root), or set CHROMIUM_PATH to a Chromium or Chrome binary"
    : `point CHROMIUM_PATH at a Chromium binary (it is ${path} now), or unset it and install Debian's: apt-get install -y chromium fonts-liberation`;
  return line("fail", "chromium", `no Chromium at ${path} (the browser tests drive it with playwright-core, which downloads none)`, fix);
}

/**
 * Splits the failed lines into what this machine installs now and what stops the run.
 * ctx: {canInstall (root or sudo -n, with apt-get), noInstall (IMAGEGEN_NO_INSTALL set),
 * chromiumOverride (CHROMIUM_PATH set: the user chose a path, so installing Debian's would not help)}.
 */
export function provisionPlan(lines, ctx) {
  const failed = lines.filter((l) => l.status === "fail");
  const installable = (l) =>
    ctx.canInstall && !ctx.noInstall && (l.name === "java" || EXAMPLE_TOOLS.includes(l.name) || (l.name === "chromium" && !ctx.chromiumOverride));
  const install = failed.filter(installable);
  return {
    packages: install.flatMap((l) => APT_PACKAGES[l.name]),
    installs: install.map((l) => l.name),
    blocking: failed.filter((l) => !installable(l)),
  };
}

/** The message a run stops with: each missing piece and the exact command that fixes it. */
export function stopMessage(what, blocking) {
  const lines = blocking.map((l) => `  ✗ ${l.name}: ${l.text}\n      fix: ${l.fix ?? "see npm run doctor"}`);
  return `${what} stopped before starting: ${blocking.length} prerequisite(s) missing\n${lines.join("\n")}\n(npm run doctor checks everything at once)`;
}
