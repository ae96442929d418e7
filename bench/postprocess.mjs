#!/usr/bin/env node
// Runner post-processing per image: decode + encode + thumbnail + store (local storage), on the
// fake ComfyUI's PNGs (with its prompt/workflow text chunks) at 512² and 1024². Cases: WebP at the
// runner's default effort, WebP at sharp's default effort 4 (what the runner used before), PNG
// passthrough (metadata chunks dropped, pixels kept) and a PNG re-encode (what it did before).
// Baseline in the same run: a bare sharp decode of the same PNG. No emulators.
//   npm run bench -- postprocess     (BENCH_REPEATS=3, BENCH_POSTPROCESS_ITERATIONS=20)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { repoRoot } from "../scripts/lib/env.mjs";
import { metric, writePart } from "./lib/results.mjs";
import { median, percentile, ratio } from "./lib/stats.mjs";

const require = createRequire(import.meta.url);
const lib = path.join(repoRoot, "gpu-runner", "lib");
const sharp = require(require.resolve("sharp", { paths: [lib] }));
const { postprocessImage } = require(path.join(lib, "postprocess", "postprocess.js"));
const { LocalStorage } = require(path.join(lib, "storage", "local-storage.js"));
const { renderFakeImage } = require(path.join(repoRoot, "fake-comfyui", "lib", "render-image.js"));
const { loadConfig } = require(path.join(lib, "config.js"));

const REPEATS = Number(process.env.BENCH_REPEATS || 3);
const N = Number(process.env.BENCH_POSTPROCESS_ITERATIONS || 20);
const WARMUP = 3;
const defaults = loadConfig({});
const base = { quality: defaults.OUTPUT_QUALITY, thumbnailSize: defaults.THUMBNAIL_SIZE };

/** The runner's PNG path before passthrough: decode, re-encode, thumbnail. */
async function pngReencode(png) {
  const d = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: d.info.width, height: d.info.height, channels: d.info.channels } };
  const [bytes, thumbnail] = await Promise.all([
    sharp(d.data, raw).png({ compressionLevel: 6 }).toBuffer(),
    sharp(d.data, raw).resize(base.thumbnailSize, base.thumbnailSize, { fit: "inside" }).webp({ quality: 80 }).toBuffer(),
  ]);
  return { bytes, thumbnail, ext: "png", contentType: "image/png" };
}

const variants = [
  { key: "webp", label: `WebP q${base.quality}, effort ${defaults.OUTPUT_WEBP_EFFORT} (default)`, run: (png) => postprocessImage(png, { ...base, format: "webp", webpEffort: defaults.OUTPUT_WEBP_EFFORT }) },
  { key: "webp4", label: `WebP q${base.quality}, effort 4 (sharp's default, before)`, run: (png) => postprocessImage(png, { ...base, format: "webp", webpEffort: 4 }) },
  { key: "png", label: "PNG passthrough", run: (png) => postprocessImage(png, { ...base, format: "png" }) },
  { key: "pngEncode", label: "PNG re-encode (before)", run: pngReencode },
];

async function timeIt(fn) {
  const out = [];
  for (let i = 0; i < WARMUP + N; i++) {
    const t = performance.now();
    await fn(i);
    if (i >= WARMUP) out.push(performance.now() - t);
  }
  return percentile(out, 50);
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-postprocess-"));
  const storage = new LocalStorage(dir);
  const cases = [];
  try {
    for (const size of [512, 1024]) {
      const png = await renderFakeImage({ width: size, height: size, seed: 1, text: "bench", index: 0, pngInfo: { prompt: "{}".padEnd(4000, " "), workflow: "{}".padEnd(8000, " ") } });
      const runs = [];
      const bytes = {};
      for (let r = 0; r < REPEATS; r++) {
        const run = { decode: await timeIt(() => sharp(png).raw().toBuffer()) };
        for (const v of variants) {
          run[v.key] = await timeIt(async (i) => {
            const out = await v.run(png);
            await Promise.all([storage.put(`g/u/r${i}/0.${out.ext}`, out.bytes, out.contentType), storage.put(`g/u/r${i}/0.thumb.webp`, out.thumbnail, "image/webp")]);
            bytes[v.key] = out.bytes.length;
          });
        }
        runs.push(run);
        console.error(`[postprocess] ${size}² run ${r + 1}: ${JSON.stringify(run)}`);
      }
      const baseline = { label: "bare decode", metrics: [metric("decode", "", "ms", runs.map((x) => x.decode), 1)] };
      for (const v of variants) {
        cases.push({
          label: `${size}², ${v.label}`,
          metrics: [metric(v.key, "per image", "ms", runs.map((x) => x[v.key]), 1), metric("kb", "output", "KB", [bytes[v.key] / 1024], 0)],
          baseline,
          ratios: [{ label: "vs decode", value: median(runs.map((x) => ratio(x[v.key], x.decode))), digits: 1 }],
        });
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const result = {
    name: "postprocess",
    title: "Runner post-processing",
    command: "npm run bench -- postprocess",
    repeats: REPEATS,
    workload: `per image, p50 of ${N} iterations (+${WARMUP} warm-up) per run: decode + encode + ${base.thumbnailSize}px WebP thumbnail + local store (main and thumbnail written in parallel), ` +
      `input = the fake ComfyUI's PNG with 12 KB of prompt/workflow text chunks; sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}.`,
    cases,
    targets: [],
  };
  writePart(result);
  for (const c of cases) console.log(`${c.label.padEnd(60)} ${c.metrics.map((m) => `${m.median.toFixed(1)} ${m.unit}`).join("  ")}`);
}

main().then(() => process.exit(0), (e) => (console.error(e), process.exit(1)));
