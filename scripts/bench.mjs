#!/usr/bin/env node
// `npm run bench -- bench/create-throughput.mjs [args]`: runs a benchmark script inside the
// emulator stack (same setup as the tests). Benchmarks print figures; they assert nothing.
import path from "node:path";
import { repoRoot } from "./lib/env.mjs";
import { buildWorkspaces, execInEmulators, stackEnv } from "./lib/exec-emulators.mjs";

const [script = "bench/create-throughput.mjs", ...args] = process.argv.slice(2);
buildWorkspaces();
const cmd = [process.execPath, path.resolve(repoRoot, script), ...args].map((a) => JSON.stringify(a)).join(" ");
process.exit(await execInEmulators(cmd, stackEnv({ DISPATCH_MODE: "record" })));
