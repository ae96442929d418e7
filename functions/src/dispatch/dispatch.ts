import { FieldValue, type Firestore } from "firebase-admin/firestore";
import { config, type Config } from "../config";
import { errorFields, log } from "../shared/log";
import { CloudTasksDispatcher } from "./cloudTasks";
import { RecordingDispatcher, type Dispatcher } from "./dispatcher";
import { GENERATE, type JobKind } from "./jobKinds";
import { queueConfig, trainingQueueConfig, type QueueConfig } from "./queueConfig";
import { taskIdFor } from "./task";
import { TasksEmulatorDispatcher } from "./tasksEmulator";

const instances = new Map<JobKind["name"], Dispatcher>();

/** A dispatcher onto `queue` (the generation queue unless said otherwise). */
export function createDispatcher(cfg: Config, queue: QueueConfig = queueConfig(cfg)): Dispatcher {
  switch (cfg.DISPATCH_MODE) {
    case "record":
      return new RecordingDispatcher();
    case "tasks-emulator":
      return new TasksEmulatorDispatcher(queue, { runnerUrl: cfg.RUNNER_URL, headers: { "X-Runner-Token": cfg.RUNNER_SHARED_SECRET } }, cfg.CLOUD_TASKS_EMULATOR_HOST);
    case "cloud-tasks": {
      const oidc = cfg.TASKS_SERVICE_ACCOUNT
        ? { serviceAccountEmail: cfg.TASKS_SERVICE_ACCOUNT, audience: cfg.RUNNER_AUDIENCE ?? cfg.RUNNER_URL }
        : undefined;
      return new CloudTasksDispatcher(queue, { runnerUrl: cfg.RUNNER_URL, oidc });
    }
  }
}

/** The process's dispatcher for a job kind: training tasks go to their own queue. */
export function dispatcher(kind: JobKind = GENERATE): Dispatcher {
  let d = instances.get(kind.name);
  if (!d) {
    const cfg = config();
    d = createDispatcher(cfg, kind.name === "train" ? trainingQueueConfig(cfg) : queueConfig(cfg));
    instances.set(kind.name, d);
  }
  return d;
}

/** A dispatcher, or a way to get one; resolved inside the caller's error handling, never before. */
export type DispatcherSource = Dispatcher | (() => Dispatcher);

/**
 * Enqueues after the create transaction committed. A failure here must not lose the job nor
 * fail the client's call: the request keeps `dispatch.state = "pending"` and the sweeper
 * re-dispatches it later.
 */
export async function dispatchAfterCommit(db: Firestore, requestId: string, d?: DispatcherSource, kind: JobKind = GENERATE): Promise<boolean> {
  return dispatchRequest(db, requestId, 0, d, kind);
}

/**
 * Enqueues the request's `n`-th task (n = `dispatch.attempts`, confirmed enqueues so far) and
 * records it. Two sweeps racing on one request at worst enqueue one extra task, which the
 * runner's lease makes harmless.
 */
export async function dispatchRequest(db: Firestore, requestId: string, n: number, source?: DispatcherSource, kind: JobKind = GENERATE): Promise<boolean> {
  const ref = db.doc(`${kind.collection}/${requestId}`);
  let mode = "unknown";
  try {
    const d = source === undefined ? dispatcher(kind) : typeof source === "function" ? source() : source;
    mode = d.mode;
    // A generation task is the dispatchers' default shape; other kinds name their route.
    const route = kind === GENERATE ? {} : { route: kind.task(requestId) };
    const { taskId, duplicate } = await d.dispatch({ requestId, taskId: taskIdFor(requestId, n), ...route });
    await ref.update({
      "dispatch.state": "enqueued",
      "dispatch.mode": d.mode,
      "dispatch.taskId": taskId,
      "dispatch.attempts": FieldValue.increment(1),
      "dispatch.updatedAt": new Date(),
      "dispatch.lastError": null,
    });
    if (duplicate) log.info("dispatch: task already existed", { requestId, taskId });
    return true;
  } catch (err) {
    log.warn("dispatch failed; the sweeper will retry", { requestId, mode, ...errorFields(err) });
    await ref.update({ "dispatch.lastError": String((err as Error)?.message ?? err), "dispatch.updatedAt": new Date() }).catch(() => undefined);
    return false;
  }
}
