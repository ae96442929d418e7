#!/usr/bin/env node
// Dispatch overhead: how busy the backend keeps the GPU, and what it adds per job.
// The whole loop (functions → Tasks emulator → one gpu-runner → fake ComfyUI at T ms per image);
// the fake ComfyUI logs when each prompt really ran (/fake/executions), the runner stores each
// job's milestones (`timings`), so the wall time splits into GPU time, gaps and overhead.
//   1. T = 1 s, N jobs created at once: GPU utilisation = N×T / wall, wall = first task delivery →
//      last `succeeded` seen by a listener (also from the first create); idle gaps between prompts.
//   2. T = 0, N jobs at once: pure pipeline overhead per job.
//   3. T = 0, jobs one at a time: create → delivery (the emulator's dispatch delay, its own 1 s
//      idle poll included) and delivery → `succeeded` (the runner), split by milestone.
//
//   npm run bench -- dispatch     (BENCH_REPEATS=3, BENCH_DISPATCH_JOBS=40, BENCH_DISPATCH_IMAGE_MS=1000, BENCH_DISPATCH_SEQUENTIAL=10)
import { createRequire } from "node:module";
import path from "node:path";
import { initializeApp } from "firebase-admin/app";
import { getFirestore } from "firebase-admin/firestore";
import { repoRoot } from "../scripts/lib/env.mjs";
import { createRequest } from "./lib/client.mjs";
import { startGpuStack } from "./lib/gpu-stack.mjs";
import { succeededAt, timeline } from "./lib/requests.mjs";
import { metric, target, writePart } from "./lib/results.mjs";
import { busyTime, gaps, median, ratio } from "./lib/stats.mjs";
import { makeUsers } from "./lib/users.mjs";

const REPEATS = Number(process.env.BENCH_REPEATS || 3);
const N = Number(process.env.BENCH_DISPATCH_JOBS || 40);
const T = Number(process.env.BENCH_DISPATCH_IMAGE_MS || 1000);
const SEQ = Number(process.env.BENCH_DISPATCH_SEQUENTIAL || 10);
const ALONE = Number(process.env.BENCH_DISPATCH_ALONE || 5);
const CAPACITY = Number(process.env.RUNNER_CAPACITY || 2);

const app = initializeApp({ projectId: process.env.GCLOUD_PROJECT });
const db = getFirestore(app);
const log = (msg) => console.error(`[dispatch] ${msg}`);

async function create(user) {
  const res = await createRequest(user.token);
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.generationRequestId;
}

/** Creates `n` requests over the users' lanes as fast as the API takes them; returns ids and the first send time. */
async function createBurst(users, n) {
  const ids = [];
  const firstCreate = Date.now();
  let next = 0;
  await Promise.all(users.map(async (u) => {
    while (next < n) {
      next++;
      ids.push(await create(u));
    }
  }));
  return { ids, firstCreate };
}

const require = createRequire(import.meta.url);
const runnerLib = path.join(repoRoot, "gpu-runner", "lib", "comfy");
const { loadTemplates } = require(path.join(runnerLib, "templates.js"));
const { renderWorkflow } = require(path.join(runnerLib, "render-workflow.js"));
const txt2img = loadTemplates(path.join(repoRoot, "gpu-runner", "workflows")).get("txt2img");

/**
 * The GPU alone: ALONE prompts like the backend's (512², 1 image) queued straight on the fake
 * ComfyUI; its time per prompt, first start → last end. N × that is what N jobs need at best.
 */
async function gpuAlone(stack, imageMs) {
  await stack.setImageMs(imageMs);
  const ids = new Set();
  for (let i = 0; i < ALONE; i++) {
    const wf = renderWorkflow(txt2img, { positivePrompt: `alone ${i}`, negativePrompt: "", width: 512, height: 512, batchSize: 1, seed: i, steps: 20, cfg: 7, filenamePrefix: `bench/alone${i}` });
    ids.add(await stack.submit(wf));
  }
  for (;;) {
    const done = (await stack.executions()).filter((e) => ids.has(e.promptId));
    if (done.length === ids.size) return (Math.max(...done.map((e) => e.endedAt)) - Math.min(...done.map((e) => e.startedAt))) / ids.size;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function burst(stack, users, imageMs) {
  const perPromptMs = await gpuAlone(stack, imageMs);
  await stack.setImageMs(imageMs);
  const { ids, firstCreate } = await createBurst(users, N);
  const seen = await Promise.all(ids.map((id) => succeededAt(db, id, 60_000 + N * (imageMs + 2000))));
  const lines = await Promise.all(ids.map((id) => timeline(db, id)));
  const prompts = new Set(lines.map((l) => l.promptId));
  const runs = (await stack.executions()).filter((e) => prompts.has(e.promptId)).map((e) => ({ start: e.startedAt, end: e.endedAt }));
  const firstDelivered = Math.min(...lines.map((l) => l.deliveredAt));
  const lastSeen = Math.max(...seen);
  const wall = lastSeen - firstDelivered;
  const idle = gaps(runs);
  return {
    wallS: wall / 1000, wallFromCreateS: (lastSeen - firstCreate) / 1000, gpuAloneS: (N * imageMs) / 1000,
    utilisation: (N * imageMs) / wall, utilisationFromCreate: (N * imageMs) / (lastSeen - firstCreate),
    busyShare: busyTime(runs) / wall, gpuAloneMeasuredS: (N * perPromptMs) / 1000, utilisationMeasured: (N * perPromptMs) / wall, gapMedianMs: median(idle), gapMaxMs: Math.max(...idle),
    perJobMs: wall / N, jobsPerS: N / (wall / 1000), executions: runs.length,
  };
}

/** One job at a time at T = 0: the per-job split, medians over the jobs of one run. */
async function sequential(stack, user, count = SEQ) {
  await stack.setImageMs(0);
  const rows = [];
  for (let i = 0; i < count; i++) {
    const sent = Date.now();
    const id = await create(user);
    const seen = await succeededAt(db, id, 60_000);
    const l = await timeline(db, id);
    const ex = (await stack.executions()).find((e) => e.promptId === l.promptId);
    rows.push({
      createToSucceeded: seen - sent, dispatchDelay: l.deliveredAt - l.createdAt, runner: seen - l.deliveredAt,
      // ComfyUI may start the prompt before its HTTP answer reaches the runner: no queueing then.
      claim: l.claimedAt - l.deliveredAt, submit: l.submittedAt - l.claimedAt, comfyQueue: Math.max(0, ex.startedAt - l.submittedAt),
      execution: ex.endedAt - ex.startedAt, fetch: l.fetchedAt - ex.endedAt, store: l.storedAt - l.fetchedAt, complete: seen - l.storedAt,
    });
  }
  const keys = Object.keys(rows[0]);
  const out = Object.fromEntries(keys.map((k) => [k, median(rows.map((r) => r[k]))]));
  out.runnerExclExecution = median(rows.map((r) => r.runner - r.execution));
  return out;
}

const pick = (runs, key) => runs.map((r) => r[key]);
const SPLIT = {
  claim: "claim", submit: "WebSocket + POST /prompt", comfyQueue: "ComfyUI queue", execution: "fake ComfyUI execution",
  fetch: "download", store: "post-process + store", complete: "completion + listener",
};

function results(busy, zero, seq) {
  const m = (runs, key, label, unit, digits) => metric(key, label, unit, pick(runs, key), digits);
  const util = m(busy, "utilisation", "GPU utilisation", "", 3);
  const overhead = m(seq, "runner", "delivery → `succeeded`", "ms", 0);
  return {
    name: "dispatch",
    title: "Dispatch overhead",
    command: "npm run bench -- dispatch",
    repeats: REPEATS,
    workload: `whole local loop (functions → Tasks emulator → 1 gpu-runner, capacity ${CAPACITY} → fake ComfyUI, one prompt at a time). ` +
      `(a) ${N} jobs created at once at T = ${T} ms per image; wall = first task delivery → last \`succeeded\` seen by a Firestore listener; ` +
      `utilisation = N×T / wall (also against the GPU-alone time measured in the same run); gaps = GPU idle time between consecutive prompts (fake ComfyUI's execution log). ` +
      `(b) the same at T = 0. (c) ${SEQ} jobs one at a time at T = 0, medians per run: emulator dispatch delay (create → delivery) apart from the runner's share (delivery → \`succeeded\`).`,
    cases: [
      {
        label: `T = ${T} ms, ${N} jobs at once`,
        metrics: [util, m(busy, "utilisationFromCreate", "from first create", "", 3), m(busy, "utilisationMeasured", "vs GPU alone measured", "", 3), m(busy, "gapMedianMs", "idle gap median", "ms", 0), m(busy, "gapMaxMs", "max", "ms", 0), m(busy, "wallS", "wall", "s", 1)],
        baseline: { label: `GPU alone: N×T; measured (${ALONE} prompts straight on the fake ComfyUI) × N`, metrics: [m(busy, "gpuAloneS", "", "s", 1), m(busy, "gpuAloneMeasuredS", "", "s", 1)] },
        ratios: [{ label: "wall / GPU alone", value: median(busy.map((b) => ratio(b.wallS, b.gpuAloneS))), digits: 3 }],
      },
      {
        label: `T = 0, ${N} jobs at once`,
        metrics: [m(zero, "perJobMs", "wall per job", "ms", 0), m(zero, "jobsPerS", "throughput", "jobs/s", 1), m(zero, "wallS", "wall", "s", 1)],
      },
      {
        label: `T = 0, ${SEQ} jobs one at a time (medians)`,
        metrics: [overhead, m(seq, "runnerExclExecution", "excl. fake ComfyUI execution", "ms", 0), m(seq, "dispatchDelay", "emulator dispatch delay (create → delivery)", "ms", 0),
          m(seq, "createToSucceeded", "create → `succeeded`", "ms", 0)],
        baseline: { label: "fake ComfyUI execution of the same prompt (PNG render)", metrics: [m(seq, "execution", "", "ms", 0)] },
        split: Object.entries(SPLIT).map(([k, label]) => m(seq, k, label, "ms", 0)),
      },
    ],
    targets: [
      target(`GPU utilisation at T = ${T} ms, ${N} jobs, one runner`, "≥ 0.95", util.median?.toFixed(3), util.median >= 0.95),
      target("overhead per job at T = 0, delivery → `succeeded` (median)", "< 150 ms", `${Math.round(overhead.median)} ms`, overhead.median < 150),
    ],
  };
}

async function main() {
  const stack = await startGpuStack(repoRoot, { imageMs: 0 });
  try {
    const users = await makeUsers(app, db, "disp", 4, 100_000);
    log("warm-up");
    await sequential(stack, users[0], 3);
    const busy = [], zero = [], seq = [];
    for (let r = 0; r < REPEATS; r++) {
      busy.push(await burst(stack, users, T));
      log(`run ${r + 1}: T=${T}: ${JSON.stringify(busy.at(-1))}`);
      zero.push(await burst(stack, users, 0));
      log(`run ${r + 1}: T=0 burst: ${JSON.stringify(zero.at(-1))}`);
      seq.push(await sequential(stack, users[0]));
      log(`run ${r + 1}: T=0 sequential: ${JSON.stringify(seq.at(-1))}`);
    }
    const result = results(busy, zero, seq);
    writePart(result);
    console.log(JSON.stringify(result.cases.map((c) => ({ label: c.label, metrics: c.metrics.map((x) => [x.label, x.median, x.min, x.max]), split: c.split?.map((x) => [x.label, x.median]) })), null, 1));
  } finally {
    await stack.stop();
  }
}

main().then(() => process.exit(0), (e) => (console.error(e), process.exit(1)));
