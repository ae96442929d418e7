// The functions package as it was at another commit, built beside this checkout, so a benchmark
// can run the same workload on the old code and the new in the same run (same emulator, same
// load). Cached under .data/bench-baseline/<commit>/; it shares this checkout's node_modules.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** Path of the built functions/lib of `ref`; builds it on first use. */
export function baselineLib(repoRoot, ref) {
  const sha = execFileSync("git", ["rev-parse", "--short", `${ref}^{commit}`], { cwd: repoRoot, encoding: "utf8" }).trim();
  const dir = path.join(repoRoot, ".data", "bench-baseline", sha);
  const lib = path.join(dir, "functions", "lib");
  if (fs.existsSync(path.join(lib, "index.js"))) return { sha, lib };
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const archive = execFileSync("git", ["archive", "--format=tar", sha, "functions", "tsconfig.base.json"], { cwd: repoRoot, maxBuffer: 256 * 2 ** 20 });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  // Same dependencies as this checkout (a baseline with other ones would measure those too).
  for (const nm of ["node_modules", "functions/node_modules"]) {
    if (fs.existsSync(path.join(repoRoot, nm))) fs.symlinkSync(path.join(repoRoot, nm), path.join(dir, nm));
  }
  execFileSync(process.execPath, [path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", path.join(dir, "functions", "tsconfig.json")], { stdio: "inherit" });
  return { sha, lib };
}
