// Finds emulator binaries that work without a network, and returns the environment variables
// firebase-tools needs to use them. Order of preference:
//   1. firebase-tools' own download cache (~/.cache/firebase/emulators or FIREBASE_EMULATORS_PATH)
//   2. the Google Cloud CLI's Firestore and Pub/Sub emulator components, via
//      FIRESTORE_EMULATOR_BINARY_PATH / PUBSUB_EMULATOR_BINARY_PATH
//   3. none: firebase-tools will try to download (fine on a networked machine, fatal offline).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const FIRESTORE_MAIN_CLASS = "com.google.cloud.datastore.emulator.firestore.CloudFirestore";

function firebaseToolsWants() {
  // The exact jar versions this firebase-tools release downloads; a cache hit must match them.
  const details = require("firebase-tools/lib/emulator/downloadableEmulatorInfo.json");
  return {
    firestore: details.firestore.downloadPathRelativeToCacheDir,
    pubsub: details.pubsub.binaryPathRelativeToCacheDir ?? details.pubsub.downloadPathRelativeToCacheDir,
  };
}

function cacheDir() {
  return process.env.FIREBASE_EMULATORS_PATH || path.join(os.homedir(), ".cache", "firebase", "emulators");
}

function gcloudSdkRoot() {
  if (process.env.CLOUDSDK_ROOT && fs.existsSync(process.env.CLOUDSDK_ROOT)) return process.env.CLOUDSDK_ROOT;
  try {
    const out = execFileSync("gcloud", ["info", "--format=value(installation.sdk_root)"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 20_000,
    }).trim();
    return out || null;
  } catch {
    for (const guess of ["/usr/lib/google-cloud-sdk", "/usr/share/google-cloud-sdk", "/google-cloud-sdk"]) {
      if (fs.existsSync(path.join(guess, "platform"))) return guess;
    }
    return null;
  }
}

// A jar with only a manifest: firebase-tools runs `java -jar <path>`, and the CLI's jar has no
// Main-Class, so this one names the class and puts the CLI's jar on its class path.
function writeLauncherJar(targetJar, outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  const launcher = path.join(outDir, "firestore-launcher.jar");
  const manifest =
    "Manifest-Version: 1.0\r\n" +
    `Main-Class: ${FIRESTORE_MAIN_CLASS}\r\n` +
    `Class-Path: ${manifestClassPath(targetJar)}\r\n\r\n`;
  fs.writeFileSync(launcher, zipSingleFile("META-INF/MANIFEST.MF", Buffer.from(manifest, "utf8")));
  return launcher;
}

function manifestClassPath(absJar) {
  // Manifest Class-Path entries are URLs; lines must wrap at 72 bytes with a leading space.
  const url = "file://" + absJar.split(path.sep).map(encodeURIComponent).join("/");
  const chunks = [];
  for (let i = 0; i < url.length; i += 60) chunks.push(url.slice(i, i + 60));
  return chunks.join("\r\n ");
}

// Minimal stored (uncompressed) zip writer: enough for one manifest, avoids a dependency on `jar`.
function zipSingleFile(name, data) {
  const nameBuf = Buffer.from(name, "utf8");
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBuf.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(10, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBuf.length, 28);
  const localSize = local.length + nameBuf.length + data.length;
  const centralSize = central.length + nameBuf.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(localSize, 16);
  return Buffer.concat([local, nameBuf, data, central, nameBuf, end]);
}

function crc32(buf) {
  let crc = ~0;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/**
 * @param {{repoRoot: string}} opts
 * @returns {{env: Record<string,string>, source: string, details: string[]}}
 */
export function resolveEmulatorBinaries({ repoRoot }) {
  const wants = firebaseToolsWants();
  const cache = cacheDir();
  const cached = [wants.firestore, wants.pubsub].every((rel) => fs.existsSync(path.join(cache, rel)));
  if (cached && !process.env.IMAGEGEN_FORCE_GCLOUD_EMULATORS) {
    return { env: {}, source: "firebase-tools cache", details: [cache] };
  }

  const sdk = gcloudSdkRoot();
  const firestoreJar = sdk && path.join(sdk, "platform", "cloud-firestore-emulator", "cloud-firestore-emulator.jar");
  const pubsubBin = sdk && path.join(sdk, "platform", "pubsub-emulator", "bin", "cloud-pubsub-emulator");
  if (firestoreJar && fs.existsSync(firestoreJar) && fs.existsSync(pubsubBin)) {
    const outDir = path.join(repoRoot, ".emulator-bin");
    const launcher = writeLauncherJar(firestoreJar, outDir);
    // firebase-tools chmods the override path; a wrapper we own keeps that off the SDK's files.
    const pubsubWrapper = path.join(outDir, "pubsub-emulator.sh");
    fs.writeFileSync(pubsubWrapper, `#!/bin/sh\nexec "${pubsubBin}" "$@"\n`, { mode: 0o755 });
    return {
      env: { FIRESTORE_EMULATOR_BINARY_PATH: launcher, PUBSUB_EMULATOR_BINARY_PATH: pubsubWrapper },
      source: "Google Cloud CLI components",
      details: [firestoreJar, pubsubBin],
    };
  }

  if (process.env.IMAGEGEN_ALLOW_EMULATOR_DOWNLOAD) {
    return { env: {}, source: "firebase-tools download", details: [cache] };
  }
  throw new Error(
    [
      "No usable Firestore/Pub/Sub emulator binaries found.",
      `  - firebase-tools cache: ${cache} has no ${wants.firestore} / ${wants.pubsub}`,
      `  - Google Cloud CLI: ${sdk ? `${sdk}/platform lacks cloud-firestore-emulator or pubsub-emulator` : "gcloud not found"}`,
      "Fix one of:",
      "  * online: set IMAGEGEN_ALLOW_EMULATOR_DOWNLOAD=1 and firebase-tools downloads its jars on first use",
      "  * install the CLI components: gcloud components install cloud-firestore-emulator pubsub-emulator",
      "    (Debian/Ubuntu apt: google-cloud-cli-firestore-emulator google-cloud-cli-pubsub-emulator)",
    ].join("\n"),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
  try {
    const r = resolveEmulatorBinaries({ repoRoot });
    console.log(`emulator binaries: ${r.source}`);
    for (const d of r.details) console.log(`  ${d}`);
    for (const [k, v] of Object.entries(r.env)) console.log(`  ${k}=${v}`);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
