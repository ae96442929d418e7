// Shared paths, ports and environment for the scripts (dev, test, seed, bench).
import path from "node:path";
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { resolveEmulatorBinaries } from "./emulator-binaries.mjs";
import { FETCH_BLOCKED_PORTS } from "./doctor/checks.mjs";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const firebaseBin = path.join(repoRoot, "node_modules", ".bin", "firebase");
export const PROJECT_ID = "demo-imagegen";
export const REGION = "us-central1";

// Offsets that are multiples of 1000 never land one stack's port on another's (100s can: auth+400 = tasks).
const basePorts = { hub: 4400, logging: 4401, auth: 9099, functions: 5001, firestore: 8080, pubsub: 8085, tasks: 9499, eventarc: 9299, websocket: 9150, hosting: 5000 };

/** Ports shifted by IMAGEGEN_PORT_OFFSET, so two stacks (two checkouts, a dev and a test run) can coexist. */
export function ports(offset = Number(process.env.IMAGEGEN_PORT_OFFSET || 0)) {
  const p = Object.fromEntries(Object.entries(basePorts).map(([k, v]) => [k, v + offset]));
  // Browsers and Node's fetch refuse the Fetch standard's "bad ports": offset 1000 would put the
  // console on 6000 (X11). Hosting then moves 5 up; no port of any stack (offsets in thousands)
  // ends in 005. (The doctor flags the other emulators' bad ports: they need another offset.)
  if (FETCH_BLOCKED_PORTS.has(p.hosting)) p.hosting += 5;
  return p;
}

/** Path of a firebase.json for the current offset (the committed one when the offset is 0). */
export function firebaseConfigPath(offset = Number(process.env.IMAGEGEN_PORT_OFFSET || 0)) {
  const committed = path.join(repoRoot, "firebase.json");
  if (!offset) return committed;
  const cfg = JSON.parse(fs.readFileSync(committed, "utf8"));
  const p = ports(offset);
  const e = cfg.emulators;
  for (const k of ["hub", "logging", "auth", "functions", "firestore", "pubsub", "tasks", "eventarc", "hosting"]) e[k].port = p[k];
  e.firestore.websocketPort = p.websocket;
  // Must sit in the repo root: firebase-tools resolves `functions.source` relative to it.
  const out = path.join(repoRoot, `firebase.offset-${offset}.json`);
  fs.writeFileSync(out, JSON.stringify(cfg, null, 2));
  return out;
}

let cached;
/** process.env plus the emulator binary overrides (offline machines). Throws a clear error when none exist. */
export function emulatorEnv(extra = {}) {
  cached ??= resolveEmulatorBinaries({ repoRoot });
  return { ...process.env, ...cached.env, ...extra };
}

export function emulatorSource() {
  cached ??= resolveEmulatorBinaries({ repoRoot });
  return cached;
}
