// How a paid-for job reaches a runner. Every implementation builds the same task (task.ts):
// named after the request id (a duplicate enqueue is rejected upstream and counts as success),
// POSTed to the runner's task URL with the request id as the body.
import type { TaskRoute } from "./task";
export interface DispatchJob {
  requestId: string;
  /** Defaults to the request id; re-dispatches pass taskIdFor(requestId, n). */
  taskId?: string;
  /** The runner route and body; a generation task (`/tasks/generate`, `{requestId}`) when absent. */
  route?: TaskRoute;
}

export interface DispatchResult {
  taskId: string;
  /** The queue already had a task of that name: the job is (or was) enqueued, nothing to do. */
  duplicate: boolean;
}

export interface Dispatcher {
  readonly mode: string;
  /** Resolves once the job is durably enqueued (or was already). Throws if it could not be. */
  dispatch(job: DispatchJob): Promise<DispatchResult>;
}

/** No runner attached: the request stays `queued` and only its dispatch record says so. */
export class RecordingDispatcher implements Dispatcher {
  readonly mode = "record";
  readonly jobs: DispatchJob[] = [];
  async dispatch(job: DispatchJob): Promise<DispatchResult> {
    this.jobs.push(job);
    return { taskId: job.taskId ?? job.requestId, duplicate: false };
  }
}
