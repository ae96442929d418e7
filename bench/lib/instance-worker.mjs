// One simulated function instance for the in-process ledger grid: its own process (own event loop,
// own Firestore client, own group committer), loading the functions' create path from
// BENCH_FUNCTIONS_LIB (a built functions/lib: this checkout's, or a baseline ref's). The parent
// (instances.mjs) tells it which lanes to run; it answers with one sample per create.
import { createRequire } from "node:module";
import path from "node:path";

const lib = process.env.BENCH_FUNCTIONS_LIB;
const require = createRequire(path.join(lib, "index.js"));
const { createGenerationRequest } = require("./requests/create.js");
const { firestore } = require("./shared/firestore.js");
// The group commit's counters; a baseline from before it has none.
let counters = null;
try {
  counters = require("./requests/optimisticCommit.js").commitCounters;
} catch {}

const BODY = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "benchmark cat" };
const snapshot = () => (counters ? { ...counters } : null);

/** `lanes` loops of `perLane` creates; lane g's j-th create goes to accounts[(g + j * totalLanes) % n]. */
async function run({ firstLane, lanes, perLane, totalLanes, accounts }) {
  const before = snapshot();
  const samples = [];
  await Promise.all(Array.from({ length: lanes }, async (_, l) => {
    const g = firstLane + l;
    for (let j = 0; j < perLane; j++) {
      const uid = accounts[(g + j * totalLanes) % accounts.length];
      const t = performance.now();
      let code = "ok";
      try {
        await createGenerationRequest(firestore(), { uid, role: "user", via: "id-token" }, BODY);
      } catch (err) {
        code = err?.code ?? String(err?.message ?? err).slice(0, 80);
      }
      samples.push({ ms: performance.now() - t, code });
    }
  }));
  const after = snapshot();
  const delta = after && { commits: after.commits - before.commits, conflicts: after.conflicts - before.conflicts };
  return { samples, counters: delta };
}

process.on("message", (msg) => {
  // Warm-up (catalog cache, gRPC channel, JIT) on an account of its own, before anything is timed.
  if (msg.type === "warm") run({ firstLane: 0, lanes: 2, perLane: 3, totalLanes: 2, accounts: [msg.account] }).then(() => process.send({ type: "warm" }), (e) => process.send({ type: "failed", error: String(e?.stack ?? e) }));
  if (msg.type === "run") run(msg).then((r) => process.send({ type: "done", ...r }), (e) => process.send({ type: "failed", error: String(e?.stack ?? e) }));
  if (msg.type === "exit") process.exit(0);
});
process.send({ type: "ready" });
