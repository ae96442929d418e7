// Local dispatcher: the Firebase Tasks emulator's REST routes (firebase-tools 14.18,
// lib/emulator/tasksEmulator.js). What it accepts, read from its source:
// - `POST /projects/{p}/locations/{l}/queues/{q}` creates a queue from {retryConfig, rateLimits}.
//   Posting again REPLACES the queue and drops its pending tasks, so we only create it when
//   `GET /queueStats` does not list it (key `queue:{p}-{l}-{q}`).
// - `POST .../queues/{q}/tasks` with {task: {name, httpRequest: {url, headers, body: base64 JSON},
//   dispatchDeadline: "<n>s"}}: 404 if the queue is missing, 409 if the name was ever used in this
//   emulator's life (it never forgets names). Without dispatchDeadline it aborts pushes after 60 s.
// - It POSTs the decoded JSON with X-CloudTasks-{QueueName,TaskName,TaskRetryCount,
//   TaskExecutionCount,TaskETA} plus our headers, retries non-2xx with the queue's backoff, and
//   makes maxAttempts + 1 tries in all (its stop check runs after the attempt counter moves).
import type { Dispatcher, DispatchJob, DispatchResult } from "./dispatcher";
import type { QueueConfig } from "./queueConfig";
import { queuePath } from "./queueConfig";
import { buildTask, type TaskTarget } from "./task";

export class TasksEmulatorDispatcher implements Dispatcher {
  readonly mode = "tasks-emulator";
  private ready: Promise<void> | undefined;

  constructor(
    private readonly queue: QueueConfig,
    private readonly target: TaskTarget,
    private readonly host: string,
  ) {}

  private url(path: string) {
    return `http://${this.host}/${path}`;
  }

  /** Creates the queue once per process (and again after an emulator restart lost it). */
  ensureQueue(): Promise<void> {
    this.ready ??= this.createIfMissing().catch((err) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private async createIfMissing(): Promise<void> {
    const q = this.queue;
    const stats = await fetch(this.url("queueStats"));
    if (!stats.ok) throw new Error(`tasks emulator: GET /queueStats answered ${stats.status}`);
    if (`queue:${q.project}-${q.location}-${q.queue}` in ((await stats.json()) as Record<string, unknown>)) return;
    const res = await fetch(this.url(queuePath(q)), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ retryConfig: q.retryConfig, rateLimits: q.rateLimits }),
    });
    if (!res.ok) throw new Error(`tasks emulator: creating queue ${q.queue} answered ${res.status} ${await res.text()}`);
  }

  async dispatch(job: DispatchJob): Promise<DispatchResult> {
    const taskId = job.taskId ?? job.requestId;
    await this.ensureQueue();
    let status = await this.enqueue(job, taskId);
    if (status === 404) {
      this.ready = undefined;
      await this.ensureQueue();
      status = await this.enqueue(job, taskId);
    }
    if (status === 409) return { taskId, duplicate: true };
    if (status < 200 || status >= 300) throw new Error(`tasks emulator: enqueue answered ${status}`);
    return { taskId, duplicate: false };
  }

  private async enqueue(job: DispatchJob, taskId: string): Promise<number> {
    const t = buildTask(this.queue, this.target, job.requestId, taskId, job.route);
    const res = await fetch(this.url(`${queuePath(this.queue)}/tasks`), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ task: { name: t.name, httpRequest: t.httpRequest, dispatchDeadline: `${t.dispatchDeadlineSeconds}s` } }),
    });
    await res.arrayBuffer();
    return res.status;
  }
}
