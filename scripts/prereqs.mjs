#!/usr/bin/env node
// The prerequisite check on its own, for .ci/run (before `npm ci`, so no emulator binaries yet):
//   node scripts/prereqs.mjs [--browser] [--emulators]
// Installs a missing Java or Chromium with apt when it may; otherwise exits 1 with the fix.
import { ensurePrereqs } from "./lib/prereqs.mjs";

const args = new Set(process.argv.slice(2));
await ensurePrereqs("this check", { browser: args.has("--browser"), emulators: args.has("--emulators") });
