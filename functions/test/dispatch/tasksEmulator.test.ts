// The emulator dispatcher against a stand-in speaking the Tasks emulator's routes, for the cases
// the real one cannot be driven into on demand (lost queue, duplicate names, refusals).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { loadConfig } from "../../src/config";
import { queueConfig } from "../../src/dispatch/queueConfig";
import { TasksEmulatorDispatcher } from "../../src/dispatch/tasksEmulator";

const q = queueConfig(loadConfig({ FUNCTIONS_EMULATOR: "true", GCLOUD_PROJECT: "demo-x", TASKS_MAX_ATTEMPTS: "7", RUNNER_CAPACITY: "3" }));
const KEY = "queue:demo-x-us-central1-generation-jobs";
const QUEUE = "/projects/demo-x/locations/us-central1/queues/generation-jobs";

let server: http.Server;
let host: string;
const calls: Array<{ method: string; url: string; body: any }> = [];
let queues: Record<string, unknown> = {};
let taskStatus = 200;
const names = new Set<string>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", (): void => {
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : null;
      calls.push({ method: req.method!, url: req.url!, body });
      const send = (status: number, out: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(out));
      if (req.url === "/queueStats") return void send(200, queues);
      if (req.url === QUEUE) return void ((queues[KEY] = {}), send(200, { taskQueueConfig: body }));
      if (req.url === `${QUEUE}/tasks`) {
        if (!(KEY in queues)) return void send(404, "no queue");
        if (taskStatus !== 200) return void send(taskStatus, "refused");
        if (names.has(body.task.name)) return void send(409, "A task with the same name already exists");
        names.add(body.task.name);
        return void send(200, { task: body.task });
      }
      send(404, "unknown route");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  calls.length = 0;
  queues = {};
  taskStatus = 200;
  names.clear();
});

const make = () => new TasksEmulatorDispatcher(q, { runnerUrl: "http://127.0.0.1:8090", headers: { "X-Runner-Token": "dev-runner-secret" } }, host);
const creates = () => calls.filter((c) => c.url === QUEUE);

describe("TasksEmulatorDispatcher", () => {
  it("creates the queue with the shared retry/rate config once, then enqueues the task shape", async () => {
    const d = make();
    await d.dispatch({ requestId: "r1" });
    await d.dispatch({ requestId: "r2" });
    expect(creates()).toHaveLength(1);
    expect(creates()[0]!.body).toEqual({ retryConfig: q.retryConfig, rateLimits: { maxConcurrentDispatches: 3, maxDispatchesPerSecond: 5 } });
    const task = calls.find((c) => c.url === `${QUEUE}/tasks`)!.body.task;
    expect(task).toMatchObject({
      name: "projects/demo-x/locations/us-central1/queues/generation-jobs/tasks/r1",
      dispatchDeadline: "900s",
      httpRequest: { url: "http://127.0.0.1:8090/tasks/generate", headers: { "Content-Type": "application/json", "X-Runner-Token": "dev-runner-secret" } },
    });
    expect(JSON.parse(Buffer.from(task.httpRequest.body, "base64").toString())).toEqual({ requestId: "r1" });
  });

  it("never re-creates a queue that exists (re-creating would drop its pending tasks)", async () => {
    queues[KEY] = {};
    await make().dispatch({ requestId: "r1" });
    expect(creates()).toHaveLength(0);
  });

  it("treats a duplicate name (409) as already enqueued", async () => {
    const d = make();
    expect(await d.dispatch({ requestId: "r1" })).toEqual({ taskId: "r1", duplicate: false });
    expect(await d.dispatch({ requestId: "r1" })).toEqual({ taskId: "r1", duplicate: true });
  });

  it("re-creates a queue the emulator lost (restart) and enqueues again", async () => {
    const d = make();
    await d.dispatch({ requestId: "r1" });
    queues = {};
    expect(await d.dispatch({ requestId: "r2" })).toEqual({ taskId: "r2", duplicate: false });
    expect(creates()).toHaveLength(2);
  });

  it("throws when the emulator refuses or is unreachable, so the request stays pending", async () => {
    taskStatus = 500;
    await expect(make().dispatch({ requestId: "r1" })).rejects.toThrow(/answered 500/);
    const dead = new TasksEmulatorDispatcher(q, { runnerUrl: "http://127.0.0.1:8090" }, "127.0.0.1:9");
    await expect(dead.dispatch({ requestId: "r1" })).rejects.toThrow();
  });
});
