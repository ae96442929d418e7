#!/usr/bin/env node
// The gpu-runner's own cost per image: post-processing (decode, WebP encode, thumbnail) plus
// the local storage writes, at 512² and 1024², against a bare sharp decode of the same PNG
// measured in the same process. Needs the built runner: `npm run build -w gpu-runner`.
//   node bench/runner-overhead.mjs [iterations]   (default 40; BENCH_FORMAT=webp|png|jpeg|avif)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const lib = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "gpu-runner", "lib");
if (!fs.existsSync(path.join(lib, "postprocess", "postprocess.js"))) {
  console.error("gpu-runner/lib is missing: run `npm run build -w gpu-runner` first");
  process.exit(1);
}
const sharp = require(require.resolve("sharp", { paths: [lib] }));
const { postprocessImage } = require(path.join(lib, "postprocess", "postprocess.js"));
const { LocalStorage } = require(path.join(lib, "storage", "local-storage.js"));
const { renderFakeImage } = require(path.join(lib, "fake-comfy", "render-image.js"));

const N = Number(process.argv[2] ?? 40);
const WARMUP = 5;
const format = process.env.BENCH_FORMAT ?? "webp";
const opts = { format, quality: 90, thumbnailSize: 256 };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-bench-"));
const storage = new LocalStorage(dir);

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function time(fn) {
  const out = [];
  for (let i = 0; i < WARMUP + N; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    if (i >= WARMUP) out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

console.log(`runner overhead per image — ${N} iterations (+${WARMUP} warm-up), format ${format}, node ${process.version}, sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}, ${os.cpus().length}× ${os.cpus()[0]?.model}`);
console.log("size       baseline decode p50/p95 ms   runner (postprocess+store) p50/p95 ms   ratio p50   output KB");
for (const size of [512, 1024]) {
  const png = await renderFakeImage({ width: size, height: size, seed: 1, text: "bench", index: 0, pngInfo: { prompt: "{}".padEnd(4000, " "), workflow: "{}" } });
  const baseline = await time(() => sharp(png).raw().toBuffer());
  let bytes = 0;
  const runner = await time(async (i) => {
    const out = await postprocessImage(png, opts);
    await storage.put(`generations/u/r${i}/0.${out.ext}`, out.bytes, out.contentType);
    await storage.put(`generations/u/r${i}/0.thumb.webp`, out.thumbnail, "image/webp");
    bytes = out.bytes.length;
  });
  const [b50, b95, r50, r95] = [pct(baseline, 50), pct(baseline, 95), pct(runner, 50), pct(runner, 95)];
  console.log(`${`${size}²`.padEnd(10)} ${`${b50.toFixed(1)} / ${b95.toFixed(1)}`.padEnd(28)} ${`${r50.toFixed(1)} / ${r95.toFixed(1)}`.padEnd(39)} ${(r50 / b50).toFixed(1).padEnd(11)} ${(bytes / 1024).toFixed(0)}`);
}
fs.rmSync(dir, { recursive: true, force: true });
