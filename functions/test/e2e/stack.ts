// The moving parts of the end-to-end tests: runner child processes (so a test can SIGKILL one),
// a small front proxy on RUNNER_URL's port that spreads the Tasks emulator's pushes over the live
// runners (as Cloud Run does over instances), and the fake ComfyUI in-process (so a test can see
// every prompt it accepted).
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { startFakeComfy, type FakeComfy } from "../../../fake-comfyui/src/server";
import { db } from "../../../test-support/emulator";
import { until } from "../../../test-support/wait";
export { until };

const repoRoot = path.resolve(__dirname, "..", "..", "..");
export const RUNNER_MAX_ATTEMPTS = process.env.TASKS_MAX_ATTEMPTS ?? "10";

export interface RunnerProcess {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * `node gpu-runner/lib/main.js` on a free port, talking to the Firestore emulator and the fake
 * ComfyUI, whose folders it shares (so it deletes each job's ComfyUI files, as in production).
 */
export async function spawnRunner(comfy: Pick<FakeComfy, "url" | "files">, name: string): Promise<RunnerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(repoRoot, "gpu-runner", "lib", "main.js")], {
    env: {
      ...process.env,
      PORT: String(port), HOST: "127.0.0.1", COMFY_URL: comfy.url, COMFY_BASE_DIR: comfy.files.baseDir, RUNNER_INSTANCE_ID: name,
      // Same secret the functions' tasks-emulator dispatcher sends (both default to it).
      RUNNER_SHARED_SECRET: process.env.RUNNER_SHARED_SECRET ?? "dev-runner-secret",
      MAX_ATTEMPTS: RUNNER_MAX_ATTEMPTS, LEASE_SECONDS: "5", COMFY_POLL_INTERVAL_MS: "200", COMFY_WS_RECONNECT_MS: "100",
      PROGRESS_WRITE_INTERVAL_MS: "200", DRAIN_TIMEOUT_SECONDS: "2", LOG_LEVEL: process.env.E2E_RUNNER_LOG_LEVEL ?? "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  await until(`runner ${name} to listen`, async () => (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) || undefined, 20_000);
  return {
    url, child, exited,
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export interface Front {
  backends: string[];
  pushes: number;
  close(): Promise<void>;
}

/** Round-robin proxy on `port`; a backend that dies mid-request yields a 503, like a lost instance. */
export async function startFront(port: number): Promise<Front> {
  let next = 0;
  const front: Front = { backends: [], pushes: 0, close: async () => undefined };
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith("/tasks/")) front.pushes++;
    const live = front.backends;
    if (live.length === 0) return void res.writeHead(503).end("no runner");
    const target = new URL(req.url ?? "/", live[next++ % live.length]);
    const upstream = http.request(target, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(503).end("runner went away");
      else res.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  front.close = () => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
  return front;
}

export { startFakeComfy, type FakeComfy };

/** Prompts the fake ComfyUI accepted for a request (the runner prefixes outputs with its id). */
export const promptsFor = (fake: FakeComfy, id: string) => fake.engine.accepted.filter((p) => JSON.stringify(p.prompt).includes(`imagegen/${id}/`));


const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

/** Waits for a terminal status and, for failed/cancelled, for the refund flag (the trigger's work). */
export function terminal(id: string, timeoutMs?: number) {
  return until(`request ${id} to finish`, async () => {
    const d = (await db().doc(`generationRequests/${id}`).get()).data();
    if (!d || !TERMINAL.has(d.status)) return undefined;
    if (d.status !== "succeeded" && d.refunded !== true) return undefined;
    return d;
  }, timeoutMs);
}

export interface OneRunnerStack {
  fake: FakeComfy;
  front: Front;
  runner: RunnerProcess;
}

/**
 * The usual e2e setup for a test file: the fake ComfyUI, the front on E2E_RUNNER_PORT and one
 * runner behind it, started before the file's tests and killed after them. Fields are filled in
 * by `beforeAll`, so read them inside tests.
 */
export function oneRunnerStack(name: string, opts: { imageMs?: number } = {}): OneRunnerStack {
  const port = Number(process.env.E2E_RUNNER_PORT);
  const stack = {} as OneRunnerStack;
  beforeAll(async () => {
    if (process.env.DISPATCH_MODE !== "tasks-emulator" || !port) throw new Error("run e2e tests through `npm test` (phase 2 sets DISPATCH_MODE and E2E_RUNNER_PORT)");
    stack.fake = await startFakeComfy({ port: 0, imageMs: opts.imageMs ?? 30 });
    stack.front = await startFront(port);
    stack.runner = await spawnRunner(stack.fake, name);
    stack.front.backends = [stack.runner.url];
  });
  afterAll(async () => {
    await stack.runner?.stop("SIGKILL");
    await stack.front?.close();
    await stack.fake?.close();
  });
  return stack;
}
