// Which machine and which code produced the figures: they mean little without it.
import { execFileSync } from "node:child_process";
import os from "node:os";

function git(args, cwd) {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

export function machineInfo(repoRoot) {
  const dirty = git(["status", "--porcelain", "--untracked-files=no"], repoRoot);
  return {
    cpu: os.cpus()[0]?.model?.trim() ?? "unknown",
    cores: os.cpus().length,
    ramGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    date: new Date().toISOString(),
    commit: git(["rev-parse", "--short", "HEAD"], repoRoot),
    dirty: dirty === null ? null : dirty.length > 0,
  };
}

/** One line for the README: "2 × Intel Xeon …, 24 GiB RAM, Linux 6.1 (x64), Node v20.19.0". */
export function machineLine(m) {
  return `${m.cores} × ${m.cpu}, ${m.ramGiB} GiB RAM, ${m.os}, Node ${m.node}; commit ${m.commit ?? "?"}${m.dirty ? " (+local changes)" : ""}, ${m.date.slice(0, 16).replace("T", " ")} UTC`;
}
