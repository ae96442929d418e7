#!/usr/bin/env node
// Creates per second and latency of createGenerationRequest against the emulator stack:
// 200 requests across 20 users (10 each, 20 parallel lanes), through HTTP like a client.
// Baseline in the same process: the `health` function (same emulator routing, no auth, no
// Firestore), so the ratio shows what auth + validation + the transaction add.
//
//   npm run bench -- bench/create-throughput.mjs [requests=200] [users=20]
import { initializeApp } from "firebase-admin/app";
import { getAuth } from "firebase-admin/auth";
import { getFirestore } from "firebase-admin/firestore";

const total = Number(process.argv[2] ?? 200);
const userCount = Number(process.argv[3] ?? 20);
const base = process.env.FUNCTIONS_BASE_URL;
const authHost = process.env.FIREBASE_AUTH_EMULATOR_HOST;
if (!base || !authHost) throw new Error("run through `npm run bench -- bench/create-throughput.mjs`");

const app = initializeApp({ projectId: process.env.GCLOUD_PROJECT });
const db = getFirestore(app);
const body = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "benchmark cat" };

async function makeUser(i, credits) {
  const uid = `bench_${Date.now().toString(36)}_${i}`;
  const email = `${uid}@bench.example.com`;
  await getAuth(app).createUser({ uid, email, password: "password123" });
  const now = new Date();
  await db.doc(`users/${uid}`).set({ email, role: "user", credits, createdAt: now, updatedAt: now });
  await db.doc(`users/${uid}/ledger/grant-bench`).set({ type: "grant", amount: credits, balanceAfter: credits, reason: "bench", actor: "bench", createdAt: now });
  const res = await fetch(`http://${authHost}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=any`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password: "password123", returnSecureToken: true }),
  });
  return { uid, token: (await res.json()).idToken };
}

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  const status = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, status };
}

const create = (token) => () =>
  fetch(`${base}/createGenerationRequest`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) })
    .then(async (r) => (await r.text(), r.status));
const health = () => fetch(`${base}/health`).then(async (r) => (await r.text(), r.status));

async function lanes(n, perLane, makeCall) {
  const samples = [];
  const t0 = Date.now();
  await Promise.all(Array.from({ length: n }, async (_, lane) => {
    for (let i = 0; i < perLane; i++) samples.push(await timed(makeCall(lane)));
  }));
  return { samples, wallMs: Date.now() - t0 };
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

function summary(name, { samples, wallMs }) {
  const ms = samples.map((s) => s.ms);
  return { name, n: samples.length, perSecond: (samples.length / wallMs) * 1000, p50: pct(ms, 50), p99: pct(ms, 99), statuses: [...new Set(samples.map((s) => s.status))].join(",") };
}

const perUser = Math.ceil(total / userCount);
const users = await Promise.all(Array.from({ length: userCount }, (_, i) => makeUser(i, perUser)));
const warm = await Promise.all(Array.from({ length: userCount }, (_, i) => makeUser(1000 + i, 2)));

// Warm-up: the Functions emulator starts one worker process per concurrent request; let it
// start all 20 before measuring, for both functions.
await lanes(userCount, 2, (lane) => create(warm[lane].token));
await lanes(userCount, 2, () => health);

const baseline = summary("health (baseline)", await lanes(userCount, perUser, () => health));
const creates = summary("createGenerationRequest", await lanes(userCount, perUser, (lane) => create(users[lane].token)));

let exact = true;
for (const u of users) {
  const snap = await db.collection(`users/${u.uid}/ledger`).get();
  const sum = snap.docs.reduce((s, d) => s + d.get("amount"), 0);
  const credits = (await db.doc(`users/${u.uid}`).get()).get("credits");
  if (credits !== 0 || sum !== 0) exact = false;
}

const fmt = (r) => `| ${r.name.padEnd(24)} | ${String(r.n).padStart(4)} | ${r.perSecond.toFixed(1).padStart(7)} | ${r.p50.toFixed(1).padStart(7)} | ${r.p99.toFixed(1).padStart(7)} | ${r.statuses} |`;
console.log(`\n${userCount} users, ${perUser} requests each, ${userCount} parallel lanes (${new Date().toISOString()})`);
console.log("| call                     |    n |   req/s | p50 ms  | p99 ms  | statuses |");
console.log("|--------------------------|------|---------|---------|---------|----------|");
console.log(fmt(baseline));
console.log(fmt(creates));
console.log(`ratio create/health: p50 ${(creates.p50 / baseline.p50).toFixed(1)}x, throughput ${(baseline.perSecond / creates.perSecond).toFixed(1)}x lower`);
console.log(`every user ended at 0 credits with sum(ledger) == 0: ${exact}`);
process.exit(0);
