import type http from "node:http";
import type { Config } from "./config";

// SIGTERM on Cloud Run is followed by SIGKILL 10 s later (SHUTDOWN_GRACE_SECONDS). The budget:
//   0 .. drain      running jobs may finish; new pushes get 503 (Cloud Tasks retries them)
//   drain .. exit   unfinished jobs are aborted: prompt interrupted, lease released, push → 503
//   exit            the process exits on its own, half a second before the platform kills it
// A job the runner could not release in time keeps a lease that expires within LEASE_SECONDS,
// and its push (connection dropped) is retried by Cloud Tasks: late, never lost or doubled.

export interface ShutdownPlan { drainMs: number; releaseMs: number; hardExitMs: number }

const EXIT_MARGIN_MS = 500;
const CLOSE_MS = 500;

export function shutdownPlan(c: Pick<Config, "DRAIN_TIMEOUT_SECONDS" | "SHUTDOWN_GRACE_SECONDS">): ShutdownPlan {
  const hardExitMs = c.SHUTDOWN_GRACE_SECONDS * 1000 - EXIT_MARGIN_MS;
  const drainMs = c.DRAIN_TIMEOUT_SECONDS * 1000;
  return { drainMs, releaseMs: Math.max(0, hardExitMs - drainMs - CLOSE_MS), hardExitMs };
}

/** Stops listening, lets answered connections flush for up to `ms`, then cuts whatever is left. */
export function closeServer(server: http.Server, ms = CLOSE_MS): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => server.closeAllConnections(), ms);
    server.close(() => (clearTimeout(cut), resolve()));
    server.closeIdleConnections();
  });
}
