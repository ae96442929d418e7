// Production dispatcher: Cloud Tasks HTTP-target tasks with an OIDC token for the runner.
// The package is ESM-first and its CommonJS typings do not resolve from this CommonJS build, so
// the types come through an import-mode type import and the client is loaded lazily.
import type { CloudTasksClient } from "@google-cloud/tasks" with { "resolution-mode": "import" };
import type { Dispatcher, DispatchJob, DispatchResult } from "./dispatcher";
import type { QueueConfig } from "./queueConfig";
import { queuePath } from "./queueConfig";
import { buildTask, type TaskTarget } from "./task";

/** The part of CloudTasksClient we use, so tests can hand in a client in REST mode. */
export type TasksClient = Pick<CloudTasksClient, "createTask">;

const ALREADY_EXISTS_GRPC = 6;

export function isAlreadyExists(err: unknown): boolean {
  const e = err as { code?: unknown; status?: unknown } | null;
  return e?.code === ALREADY_EXISTS_GRPC || e?.code === 409 || e?.status === "ALREADY_EXISTS";
}

export async function createTasksClient(options?: ConstructorParameters<typeof CloudTasksClient>[0]): Promise<TasksClient> {
  const { CloudTasksClient: Client } = await import("@google-cloud/tasks");
  return new Client(options);
}

export class CloudTasksDispatcher implements Dispatcher {
  readonly mode = "cloud-tasks";
  private client: Promise<TasksClient> | undefined;
  constructor(
    private readonly queue: QueueConfig,
    private readonly target: TaskTarget,
    client?: TasksClient | Promise<TasksClient>,
  ) {
    if (!target.oidc) throw new Error("cloud-tasks dispatch needs TASKS_SERVICE_ACCOUNT (the runner accepts OIDC tokens only)");
    this.client = client ? Promise.resolve(client) : undefined;
  }

  async dispatch(job: DispatchJob): Promise<DispatchResult> {
    const taskId = job.taskId ?? job.requestId;
    const t = buildTask(this.queue, this.target, job.requestId, taskId, job.route);
    try {
      this.client ??= createTasksClient();
      const client = await this.client;
      await client.createTask({
        parent: queuePath(this.queue),
        task: {
          name: t.name,
          httpRequest: { ...t.httpRequest, body: Buffer.from(t.httpRequest.body, "base64") },
          dispatchDeadline: { seconds: t.dispatchDeadlineSeconds },
        },
      });
      return { taskId, duplicate: false };
    } catch (err) {
      if (isAlreadyExists(err)) return { taskId, duplicate: true };
      throw err;
    }
  }
}
