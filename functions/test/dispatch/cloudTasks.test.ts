// The production dispatcher against a local HTTP server standing in for cloudtasks.googleapis.com:
// the real CloudTasksClient in REST (fallback) mode, so what is checked is what goes on the wire.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { CloudTasksDispatcher, createTasksClient } from "../../src/dispatch/cloudTasks";
import { queueConfig } from "../../src/dispatch/queueConfig";
import { loadConfig } from "../../src/config";

interface Recorded { method: string; url: string; headers: http.IncomingHttpHeaders; body: any }

let server: http.Server;
let port: number;
const recorded: Recorded[] = [];
let answer: { status: number; body: unknown } = { status: 200, body: {} };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      recorded.push({ method: req.method!, url: req.url!, headers: req.headers, body: text ? JSON.parse(text) : null });
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  recorded.length = 0;
  answer = { status: 200, body: {} };
});

// The client sends through its auth client's fetch (a real one adds the Bearer token there); this
// one needs no credentials and sends with Node's own fetch.
const noCredentials = {
  getRequestHeaders: async () => new Headers(),
  fetch: (url: string, init: { method: string; headers: Headers; body?: string }) => fetch(url, { method: init.method, headers: init.headers, body: init.body }),
};

// A complete deployed configuration (no emulator variables): it must load.
const cfg = loadConfig({
  GCLOUD_PROJECT: "proj-x", TASKS_LOCATION: "europe-west4", TASKS_QUEUE: "gen", DISPATCH_DEADLINE_SECONDS: "900",
  RUNNER_URL: "https://runner-abc.run.app", TASKS_SERVICE_ACCOUNT: "tasks@proj-x.iam.gserviceaccount.com", STORAGE_BUCKET: "proj-x-images",
  STRIPE_SECRET_KEY: "sk_live_example", STRIPE_WEBHOOK_SECRET: "whsec_example",
});
const target = { runnerUrl: "https://runner-abc.run.app/", oidc: { serviceAccountEmail: "tasks@proj-x.iam.gserviceaccount.com", audience: "https://runner-abc.run.app" } };

async function dispatcher() {
  const client = await createTasksClient({ fallback: true, apiEndpoint: "127.0.0.1", port, protocol: "http", authClient: noCredentials as never });
  return new CloudTasksDispatcher(queueConfig(cfg), target, client);
}

describe("CloudTasksDispatcher (REST client against a recording server)", () => {
  it("creates an HTTP task named after the request, POSTing {requestId} to the runner with an OIDC token and the dispatch deadline", async () => {
    const d = await dispatcher();
    await expect(d.dispatch({ requestId: "req123" })).resolves.toEqual({ taskId: "req123", duplicate: false });
    expect(recorded).toHaveLength(1);
    const r = recorded[0]!;
    expect(r.method).toBe("POST");
    expect(new URL(r.url, "http://x").pathname).toBe("/v2/projects/proj-x/locations/europe-west4/queues/gen/tasks");
    const task = r.body.task;
    expect(task.name).toBe("projects/proj-x/locations/europe-west4/queues/gen/tasks/req123");
    expect(task.dispatchDeadline).toBe("900s");
    // The REST client sends enums as numbers ($alt=json;enum-encoding=int): HttpMethod.POST = 1.
    expect(task.httpRequest).toMatchObject({
      httpMethod: 1,
      url: "https://runner-abc.run.app/tasks/generate",
      headers: { "Content-Type": "application/json" },
      oidcToken: target.oidc,
    });
    expect(JSON.parse(Buffer.from(task.httpRequest.body, "base64").toString("utf8"))).toEqual({ requestId: "req123" });
  });

  it("names a re-dispatch apart from the first task", async () => {
    const d = await dispatcher();
    await d.dispatch({ requestId: "req123", taskId: "req123-d2" });
    expect(recorded[0]!.body.task.name).toBe("projects/proj-x/locations/europe-west4/queues/gen/tasks/req123-d2");
  });

  it("treats ALREADY_EXISTS (HTTP 409) as success: the job is already enqueued", async () => {
    answer = { status: 409, body: { error: { code: 409, message: "Requested entity already exists", status: "ALREADY_EXISTS" } } };
    const d = await dispatcher();
    await expect(d.dispatch({ requestId: "dup1" })).resolves.toEqual({ taskId: "dup1", duplicate: true });
  });

  it("throws on other errors, so the request stays pending for the sweeper", async () => {
    answer = { status: 403, body: { error: { code: 403, message: "caller lacks cloudtasks.tasks.create", status: "PERMISSION_DENIED" } } };
    const d = await dispatcher();
    await expect(d.dispatch({ requestId: "denied" })).rejects.toThrow(/cloudtasks.tasks.create/);
  });

  it("refuses to run without a service account for the OIDC token", () => {
    expect(() => new CloudTasksDispatcher(queueConfig(cfg), { runnerUrl: "https://x" })).toThrow(/TASKS_SERVICE_ACCOUNT/);
  });
});
