#!/usr/bin/env node
// Queue ETA accuracy: the estimate the API answers (functions' planQueue over the runner's rolling
// per-template/size estimate, nextEstimate) against measured completion, on the fake ComfyUI with
// step times that change between bursts. Each burst sets a new time per image (uniform 400–2000
// ms), then submits jobs of 1–4 images through two templates, one at a time; at each submit the
// ETA is computed from what the API would know (measured estimates so far, the running job's
// progress from ComfyUI's progress events, the jobs ahead), and compared with the job's real end.
// One GPU (one slot). Not in it: the Firestore and Cloud Tasks hops (tens of ms), and the API's
// whole-second rounding is kept, as clients see it. No emulators.
//   npm run bench -- eta     (BENCH_ETA_BURSTS=4, BENCH_ETA_JOBS=5, BENCH_ETA_SEED=7)
import path from "node:path";
import { createRequire } from "node:module";
import { repoRoot } from "../scripts/lib/env.mjs";
import { metric, writePart } from "./lib/results.mjs";
import { median, percentile } from "./lib/stats.mjs";

const require = createRequire(import.meta.url);
const { planQueue, etaKeyOf, perImageFrom } = require(path.join(repoRoot, "functions", "lib", "queue", "eta.js"));
const { nextEstimate } = require(path.join(repoRoot, "gpu-runner", "lib", "jobs", "eta-stats.repo.js"));
const { loadTemplates } = require(path.join(repoRoot, "gpu-runner", "lib", "comfy", "templates.js"));
const { renderWorkflow } = require(path.join(repoRoot, "gpu-runner", "lib", "comfy", "render-workflow.js"));
const { startFakeComfy } = require(path.join(repoRoot, "fake-comfyui", "lib", "server.js"));
const WebSocket = require(require.resolve("ws", { paths: [path.join(repoRoot, "gpu-runner")] }));

const BURSTS = Number(process.env.BENCH_ETA_BURSTS || 4);
const JOBS = Number(process.env.BENCH_ETA_JOBS || 5);
const DEFAULT_PER_IMAGE = 8; // ETA_DEFAULT_SECONDS_PER_IMAGE before any measurement
let seed = Number(process.env.BENCH_ETA_SEED || 7);
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);

const templates = loadTemplates(path.join(repoRoot, "gpu-runner", "workflows"));
const kinds = [{ workflow: "txt2img", width: 512, height: 512 }, { workflow: "txt2img-sdxl", width: 768, height: 768 }];
const fake = await startFakeComfy({ port: 0, imageMs: 1000 });
const clientId = "bench-eta";
const progress = new Map();
const ws = new WebSocket(`${fake.url.replace("http", "ws")}/ws?clientId=${clientId}`);
ws.on("message", (raw, isBinary) => {
  if (isBinary) return;
  const m = JSON.parse(raw.toString());
  if (m.type === "progress") progress.set(m.data.prompt_id, m.data.value / m.data.max);
});
await new Promise((r) => ws.once("open", r));

const stats = new Map(); // etaKey → {meanSecondsPerImage, samples}
const perImage = (key) => perImageFrom(new Map([...stats].map(([k, v]) => [k, v.meanSecondsPerImage])), DEFAULT_PER_IMAGE)(key);
const open = []; // submitted, not yet folded into the estimate: {promptId, etaKey, images, submittedAt, eta}
const results = [];

/** Folds finished executions into the estimates, as the runner does after each job. */
function absorb() {
  for (const j of [...open]) {
    const ex = fake.engine.executions.find((e) => e.promptId === j.promptId);
    if (!ex) continue;
    stats.set(j.etaKey, nextEstimate(stats.get(j.etaKey) ?? null, (ex.endedAt - ex.startedAt) / 1000 / j.images));
    results.push({ predicted: j.eta, actual: (ex.endedAt - j.submittedAt) / 1000, burst: j.burst, burstIndex: j.burstIndex });
    open.splice(open.indexOf(j), 1);
  }
}

let n = 0;
for (let b = 0; b < BURSTS; b++) {
  absorb();
  fake.faults.set({ mode: "none", imageMs: Math.round(400 + rand() * 1600) });
  for (let i = 0; i < JOBS; i++) {
    absorb();
    const kind = kinds[Math.floor(rand() * kinds.length)];
    const images = 1 + Math.floor(rand() * 4);
    const etaKey = etaKeyOf(kind);
    const workflow = renderWorkflow(templates.get(kind.workflow), { positivePrompt: `eta ${n}`, negativePrompt: "", seed: n, steps: 20, cfg: 7, width: kind.width, height: kind.height, batchSize: images, filenamePrefix: `bench-eta/${n++}` });
    const runningId = fake.engine.running?.promptId;
    const ahead = open.filter((j) => j.promptId !== runningId);
    const running = open.filter((j) => j.promptId === runningId).map((j) => ({ id: j.promptId, etaKey: j.etaKey, images: j.images, progress: progress.get(j.promptId) ?? 0 }));
    const queued = [...ahead.map((j) => ({ id: j.promptId, etaKey: j.etaKey, images: j.images })), { id: "new", etaKey, images }];
    const eta = planQueue(running, queued, 1, perImage).get("new").etaSeconds;
    const submittedAt = Date.now();
    const res = await fetch(`${fake.url}/prompt`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ prompt: workflow, client_id: clientId }) });
    const { prompt_id } = await res.json();
    open.push({ promptId: prompt_id, etaKey, images, submittedAt, eta, burst: b, burstIndex: i });
    await new Promise((r) => setTimeout(r, 1500 + rand() * 2000)); // arrivals spread over the burst
  }
}
while (open.length) {
  await new Promise((r) => setTimeout(r, 200));
  absorb();
}
ws.close();
await fake.close();

const errors = results.map((r) => Math.abs(r.predicted - r.actual));
// Past the first burst (both templates measured) and past each burst's first job (the step time just changed).
const warmed = results.filter((r) => r.burst > 0 && r.burstIndex > 0).map((r) => Math.abs(r.predicted - r.actual));
const relative = results.map((r) => Math.abs(r.predicted - r.actual) / Math.max(1, r.actual));
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const result = {
  name: "eta",
  title: "Queue ETA accuracy",
  command: "npm run bench -- eta",
  repeats: 1,
  workload: `${results.length} jobs in ${BURSTS} bursts on one fake GPU; time per image re-drawn per burst (400–2000 ms); 1–4 images; two templates; whole-second ETAs as the API answers them`,
  cases: [
    { label: "all jobs", metrics: [metric("mae", "mean abs error", "s", [mean(errors)], 2), metric("p90", "p90 abs error", "s", [percentile(errors, 90)], 2), metric("rel", "mean rel error", "%", [100 * mean(relative)], 1)] },
    { label: "estimate settled", metrics: [metric("mae", "mean abs error", "s", [mean(warmed)], 2), metric("p50", "median abs error", "s", [median(warmed)], 2)] },
  ],
  targets: [],
};
writePart(result);
if (process.env.BENCH_ETA_VERBOSE) for (const r of results) console.log(`burst ${r.burst} job ${r.burstIndex}: predicted ${r.predicted} s, actual ${r.actual.toFixed(1)} s`);
console.log(`jobs ${results.length}; actual completion median ${median(results.map((r) => r.actual)).toFixed(1)} s`);
for (const c of result.cases) console.log(`${c.label.padEnd(30)} ${c.metrics.map((m) => `${m.label} ${m.median.toFixed(m.digits)} ${m.unit}`).join("  ")}`);
