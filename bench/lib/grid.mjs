// The in-process ledger grid: the create path driven directly against the Firestore emulator by K
// simulated instances (separate processes, instances.mjs), over lanes × instances × accounts.
// Each cell runs the same workload on every variant (this checkout, and a baseline ref's build),
// alternating per repeat, so before and after share the emulator and the machine's load.
import { startInstances } from "./instances.mjs";
import { metric, target } from "./results.mjs";
import { median, percentile, ratio } from "./stats.mjs";

const list = (v, def) => (v ? v.split(",").map(Number) : def);

/** lanes {10, 50} × instances {1, 2, 5} × accounts {1, 50}, unless the environment narrows it. */
export function gridCells(env = process.env) {
  const cells = [];
  for (const lanes of list(env.BENCH_GRID_LANES, [10, 50])) {
    for (const instances of list(env.BENCH_GRID_INSTANCES, [1, 2, 5])) {
      for (const accounts of list(env.BENCH_GRID_ACCOUNTS, [1, 50])) cells.push({ lanes, instances, accounts });
    }
  }
  return cells;
}

/** Funded accounts written straight to Firestore (the in-process path needs no Auth user). */
export async function fundAccounts(db, prefix, n, credits) {
  const uids = Array.from({ length: n }, (_, i) => `bench_${prefix}_${Date.now().toString(36)}_${i}`);
  const at = new Date();
  for (let i = 0; i < n; i += 200) {
    const batch = db.batch();
    for (const uid of uids.slice(i, i + 200)) {
      batch.set(db.doc(`users/${uid}`), { role: "user", credits, createdAt: at, updatedAt: at });
      batch.set(db.doc(`users/${uid}/ledger/grant-bench`), { type: "grant", amount: credits, balanceAfter: credits, reason: "bench", actor: "bench", createdAt: at });
    }
    await batch.commit();
  }
  return uids;
}

function figures(run) {
  const ok = run.samples.filter((s) => s.code === "ok").length;
  const ms = run.samples.map((s) => s.ms);
  const codes = {};
  for (const s of run.samples) if (s.code !== "ok") codes[s.code] = (codes[s.code] ?? 0) + 1;
  return {
    perSecond: ok / (run.wallMs / 1000), p50: percentile(ms, 50), p99: percentile(ms, 99), failed: run.samples.length - ok, codes,
    commitsPerCreate: run.commits === null ? null : ratio(run.commits, ok), conflictsPerCreate: run.conflicts === null ? null : ratio(run.conflicts, ok),
  };
}

/**
 * Runs every cell `repeats` times on each variant ({name, lib}); `creates` per cell and run.
 * Resolves with per-cell figures by variant, and every account it funded (for the conservation check).
 */
export async function runGrid(db, { variants, cells, repeats, creates, log = () => {} }) {
  const results = cells.map((cell) => ({ cell, runs: Object.fromEntries(variants.map((v) => [v.name, []])) }));
  const funded = [];
  for (const k of [...new Set(cells.map((c) => c.instances))]) {
    const pools = await Promise.all(variants.map(async (v) => startInstances(k, v.lib, await fundAccounts(db, `warm${v.name}${k}`, k, 100))));
    try {
      for (const entry of results.filter((r) => r.cell.instances === k)) {
        const { lanes, accounts } = entry.cell;
        const perLane = Math.ceil(creates / lanes);
        const credits = Math.ceil((repeats * perLane * lanes) / accounts) + 10;
        const accountsOf = await Promise.all(variants.map((v) => fundAccounts(db, `${v.name}${lanes}x${k}x${accounts}`, accounts, credits)));
        funded.push(...accountsOf.flat());
        for (let r = 0; r < repeats; r++) {
          // Alternate which variant goes first, so neither always runs on a warmer emulator.
          const order = variants.map((_, i) => i);
          if (r % 2) order.reverse();
          for (const i of order) {
            const f = figures(await pools[i].run({ lanes, perLane, accounts: accountsOf[i] }));
            entry.runs[variants[i].name].push(f);
            log(`[grid] ${variants[i].name} ${lanes} lanes × ${k} inst × ${accounts} acc, run ${r + 1}: ${JSON.stringify(f)}`);
          }
        }
      }
    } finally {
      await Promise.all(pools.map((p) => p.stop()));
    }
  }
  return { results, funded };
}

const acc = (n) => (n === 1 ? "1 account" : `${n} accounts`);
export const cellLabel = ({ lanes, instances, accounts }) => `in process: ${acc(accounts)}, ${lanes} lanes, ${instances} instance${instances === 1 ? "" : "s"}`;

/** Table rows: this checkout's figures, the baseline's (same run) beside them, and p99 before / after. */
export function gridCases(results, baseline) {
  return results.map(({ cell, runs }) => {
    const rs = runs.after;
    const metrics = [
      metric("perSecond", "creates/s", "", rs.map((x) => x.perSecond), 1), metric("p50", "p50", "ms", rs.map((x) => x.p50), 0),
      metric("p99", "p99", "ms", rs.map((x) => x.p99), 0), metric("failed", "failed", "", rs.map((x) => x.failed), 0),
      metric("commitsPerCreate", "commits/create", "", rs.map((x) => x.commitsPerCreate), 2), metric("conflictsPerCreate", "conflicts/create", "", rs.map((x) => x.conflictsPerCreate), 2),
    ];
    const before = baseline && runs[baseline.name];
    if (!before?.length) return { label: cellLabel(cell), cell, metrics };
    return {
      label: cellLabel(cell), cell, metrics,
      baseline: { label: baseline.label, metrics: [
        metric("perSecond", "creates/s", "", before.map((x) => x.perSecond), 1), metric("p50", "p50", "ms", before.map((x) => x.p50), 0),
        metric("p99", "p99", "ms", before.map((x) => x.p99), 0), metric("failed", "failed", "", before.map((x) => x.failed), 0),
      ] },
      ratios: [{ label: "p99 before / after", value: median(rs.map((x, i) => ratio(before[i]?.p99, x.p99)).filter((v) => v !== null)), digits: 1 }],
    };
  });
}

/** The issue's targets on the grid: 1 account's p99 within 2× of 50 accounts', and no failed create at 50 lanes on one account. */
export function gridTargets(cases) {
  const fig = (c, key) => c.metrics.find((m) => m.key === key);
  const pairs = cases.filter((c) => c.cell.accounts === 1).flatMap((one) => {
    const many = cases.find((c) => c.cell.accounts !== 1 && c.cell.lanes === one.cell.lanes && c.cell.instances === one.cell.instances);
    return many ? [{ at: `${one.cell.lanes}×${one.cell.instances}`, r: ratio(fig(one, "p99").median, fig(many, "p99").median) }] : [];
  });
  const failedAt50 = cases.filter((c) => c.cell.accounts === 1 && c.cell.lanes === 50).map((c) => fig(c, "failed").max);
  return [
    target("in process: 1-account p99 / 50-account p99 at the same lanes × instances", "≤ 2×", pairs.map((p) => `${p.at}: ${p.r?.toFixed(2)}×`).join(", "), pairs.length > 0 && pairs.every((p) => p.r !== null && p.r <= 2)),
    target("in process: failed creates at 50 lanes on one funded account (1 / 2 / 5 instances, worst run)", "0", failedAt50.join(" / "), failedAt50.length > 0 && failedAt50.every((n) => n === 0)),
  ];
}
