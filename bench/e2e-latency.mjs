#!/usr/bin/env node
// End-to-end latency, create → succeeded, through the whole local loop (functions emulator →
// Tasks emulator → runner → fake ComfyUI with 0 ms per image), against a running `npm run dev`.
// `node bench/e2e-latency.mjs [count=50] [concurrency=1]`: prints p50/p95/max in ms.
// Latency = from sending createGenerationRequest to the Firestore snapshot that shows `succeeded`.
import { initializeApp } from "firebase-admin/app";
import { getFirestore } from "firebase-admin/firestore";
import { ports, PROJECT_ID, REGION } from "../scripts/lib/env.mjs";

const count = Number(process.argv[2] || 50);
const concurrency = Number(process.argv[3] || 1);
const p = ports();
const offset = p.functions - 5001;
process.env.FIRESTORE_EMULATOR_HOST ??= `127.0.0.1:${p.firestore}`;
const db = getFirestore(initializeApp({ projectId: PROJECT_ID }));
const fnBase = `http://127.0.0.1:${p.functions}/${PROJECT_ID}/${REGION}`;
const comfy = process.env.COMFY_URL || `http://127.0.0.1:${8188 + offset}`;

async function signIn(email) {
  const res = await fetch(`http://127.0.0.1:${p.auth}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=fake-api-key`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password: "password123", returnSecureToken: true }),
  });
  const out = await res.json();
  if (!out.idToken) throw new Error(`sign-in failed: ${JSON.stringify(out)}`);
  return out.idToken;
}

function succeeded(id) {
  return new Promise((resolve, reject) => {
    const stop = db.doc(`generationRequests/${id}`).onSnapshot((s) => {
      const status = s.get("status");
      if (status === "succeeded") (stop(), resolve(performance.now()));
      else if (status === "failed" || status === "cancelled") (stop(), reject(new Error(`${id} ended ${status}: ${JSON.stringify(s.get("error"))}`)));
    }, reject);
  });
}

async function one(token, i) {
  const started = performance.now();
  const res = await fetch(`${fnBase}/createGenerationRequest`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: `bench ${i}` }),
  });
  const body = await res.json();
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(body)}`);
  return (await succeeded(body.generationRequestId)) - started;
}

const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

async function main() {
  const faults = await fetch(`${comfy}/fake/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ mode: "none", imageMs: 0 }) });
  if (!faults.ok) throw new Error(`fake ComfyUI at ${comfy} answered ${faults.status}`);
  // The admin account has 1000 credits; each request costs 1.
  const token = await signIn(process.env.BENCH_EMAIL || "admin@example.com");
  await one(token, -1); // warm-up: the first call boots a functions worker
  const latencies = [];
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) latencies.push(await one(token, next++));
  }));
  latencies.sort((a, b) => a - b);
  const fmt = (ms) => `${Math.round(ms)} ms`;
  console.log(`create → succeeded over ${latencies.length} requests (concurrency ${concurrency}, fake imageMs 0):`);
  console.log(`  p50 ${fmt(pct(latencies, 0.5))}  p95 ${fmt(pct(latencies, 0.95))}  min ${fmt(latencies[0])}  max ${fmt(latencies.at(-1))}`);
  process.exit(0);
}

main().catch((e) => {
  console.error(`bench failed: ${e.message} (is \`npm run dev\` running?)`);
  process.exit(1);
});
