// K simulated function instances (instance-worker.mjs), each its own process, driven together:
// a cell's lanes are split across them, all start on the same signal, and the wall time runs
// from that signal to the last instance's last create.
import { fork } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), "instance-worker.mjs");

function startOne(lib) {
  // stdout carries the functions' structured logs: dropped, as a deployed instance ships them away.
  const child = fork(worker, [], { env: { ...process.env, BENCH_FUNCTIONS_LIB: lib }, stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const next = () => new Promise((resolve, reject) => {
    const onMessage = (m) => (off(), m.type === "failed" ? reject(new Error(m.error)) : resolve(m));
    const onExit = (code) => (off(), reject(new Error(`instance exited with ${code}`)));
    const off = () => (child.off("message", onMessage), child.off("exit", onExit));
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
  return { child, next };
}

/** Starts `k` instances on the functions build at `lib`; resolves once each has loaded it and made a few creates on `warmAccounts[i]`. */
export async function startInstances(k, lib, warmAccounts) {
  const all = Array.from({ length: k }, () => startOne(lib));
  await Promise.all(all.map((w) => w.next()));
  await Promise.all(all.map((w, i) => {
    const done = w.next();
    w.child.send({ type: "warm", account: warmAccounts[i] });
    return done;
  }));
  return {
    k,
    /** Runs `lanes` lanes of `perLane` creates spread over the instances; one sample per create. */
    async run({ lanes, perLane, accounts }) {
      const per = Math.ceil(lanes / k);
      const t0 = performance.now();
      const parts = await Promise.all(all.map((w, i) => {
        const firstLane = i * per;
        const mine = Math.max(0, Math.min(per, lanes - firstLane));
        const done = w.next();
        w.child.send({ type: "run", firstLane, lanes: mine, perLane, totalLanes: lanes, accounts });
        return done;
      }));
      const wallMs = performance.now() - t0;
      const sum = (f) => (parts.every((p) => p.counters) ? parts.reduce((s, p) => s + f(p.counters), 0) : null);
      return { samples: parts.flatMap((p) => p.samples), wallMs, commits: sum((c) => c.commits), conflicts: sum((c) => c.conflicts) };
    },
    async stop() {
      await Promise.all(all.map((w) => new Promise((resolve) => {
        if (w.child.exitCode !== null) return resolve();
        w.child.once("exit", resolve);
        w.child.send({ type: "exit" });
      })));
    },
  };
}
