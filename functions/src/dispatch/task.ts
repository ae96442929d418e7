// The one task shape both dispatchers send: pure, so it is unit-tested without a queue.
import type { QueueConfig } from "./queueConfig";
import { queuePath } from "./queueConfig";

const TASK_ID = /^[A-Za-z0-9_-]{1,500}$/;

/**
 * Task id of a request's n-th dispatch. The first is the request id itself, so a duplicate
 * enqueue of the same job is rejected by the queue. Later ones (sweeper re-dispatches) need
 * another name: Cloud Tasks refuses a name for about an hour after its task ran or was deleted.
 * `n` is `dispatch.attempts`, the count of confirmed enqueues, so retrying an enqueue whose answer
 * was lost reuses the name and is deduplicated too.
 */
export function taskIdFor(requestId: string, n: number): string {
  const id = n > 0 ? `${requestId}-d${n}` : requestId;
  if (!TASK_ID.test(id)) throw new Error(`request id '${requestId}' cannot name a Cloud Task`);
  return id;
}

export interface TaskTarget {
  runnerUrl: string;
  /** Production: Google signs an OIDC token for this service account and audience. */
  oidc?: { serviceAccountEmail: string; audience: string };
  /** Dev only: the runner's shared-secret header (the emulator cannot mint OIDC tokens). */
  headers?: Record<string, string>;
}

export interface GenerationTask {
  name: string;
  httpRequest: {
    httpMethod: "POST";
    url: string;
    headers: Record<string, string>;
    /** base64 of the JSON body, as both the Cloud Tasks REST API and the emulator expect. */
    body: string;
    oidcToken?: { serviceAccountEmail: string; audience: string };
  };
  dispatchDeadlineSeconds: number;
}

/** Where a task goes on the runner and what it carries; a generation task unless said otherwise. */
export interface TaskRoute {
  path: string;
  body: Record<string, unknown>;
}

export const generateRoute = (requestId: string): TaskRoute => ({ path: "/tasks/generate", body: { requestId } });

export function buildTask(q: QueueConfig, target: TaskTarget, requestId: string, taskId: string, route: TaskRoute = generateRoute(requestId)): GenerationTask {
  return {
    name: `${queuePath(q)}/tasks/${taskId}`,
    httpRequest: {
      httpMethod: "POST",
      url: `${target.runnerUrl.replace(/\/+$/, "")}${route.path}`,
      headers: { "Content-Type": "application/json", ...target.headers },
      body: Buffer.from(JSON.stringify(route.body)).toString("base64"),
      ...(target.oidc ? { oidcToken: target.oidc } : {}),
    },
    dispatchDeadlineSeconds: q.dispatchDeadlineSeconds,
  };
}
