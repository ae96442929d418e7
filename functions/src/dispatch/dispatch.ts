import { FieldValue, type Firestore } from "firebase-admin/firestore";
import { config, type Config } from "../config";
import { errorFields, log } from "../shared/log";
import { CloudTasksDispatcher } from "./cloudTasks";
import { RecordingDispatcher, type Dispatcher } from "./dispatcher";
import { queueConfig } from "./queueConfig";
import { taskIdFor } from "./task";
import { TasksEmulatorDispatcher } from "./tasksEmulator";

let instance: Dispatcher | undefined;

export function createDispatcher(cfg: Config): Dispatcher {
  const queue = queueConfig(cfg);
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

export function dispatcher(): Dispatcher {
  instance ??= createDispatcher(config());
  return instance;
}

/** A dispatcher, or a way to get one; resolved inside the caller's error handling, never before. */
export type DispatcherSource = Dispatcher | (() => Dispatcher);

/**
 * Enqueues after the create transaction committed. A failure here must not lose the job nor
 * fail the client's call: the request keeps `dispatch.state = "pending"` and the sweeper
 * re-dispatches it later.
 */
export async function dispatchAfterCommit(db: Firestore, requestId: string, d: DispatcherSource = dispatcher): Promise<boolean> {
  return dispatchRequest(db, requestId, 0, d);
}

/**
 * Enqueues the request's `n`-th task (n = `dispatch.attempts`, confirmed enqueues so far) and
 * records it. Two sweeps racing on one request at worst enqueue one extra task, which the
 * runner's lease makes harmless.
 */
export async function dispatchRequest(db: Firestore, requestId: string, n: number, source: DispatcherSource = dispatcher): Promise<boolean> {
  const ref = db.doc(`generationRequests/${requestId}`);
  let mode = "unknown";
  try {
    const d = typeof source === "function" ? source() : source;
    mode = d.mode;
    const { taskId, duplicate } = await d.dispatch({ requestId, taskId: taskIdFor(requestId, n) });
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
