// The generation queue's settings, in one place: both dispatchers create/describe the queue from
// this, and docs/dispatch.md shows the matching `gcloud` command (printed by gcloudCreateQueue).
import type { Config } from "../config";

export interface QueueConfig {
  project: string;
  location: string;
  queue: string;
  retryConfig: {
    /** Keep equal to the runner's MAX_ATTEMPTS: its last attempt turns a retryable error into `failed`. */
    maxAttempts: number;
    minBackoffSeconds: number;
    maxBackoffSeconds: number;
    maxDoublings: number;
  };
  rateLimits: {
    /** = runner capacity, so pushes wait in the queue instead of bouncing off a full runner with 503s. */
    maxConcurrentDispatches: number;
    maxDispatchesPerSecond: number;
  };
  /** Must exceed the runner's JOB_TIMEOUT_SECONDS, or Cloud Tasks cuts off jobs that would finish. */
  dispatchDeadlineSeconds: number;
}

type QueueSettings = Pick<
  Config,
  | "PROJECT_ID" | "TASKS_LOCATION" | "TASKS_QUEUE" | "TASKS_MAX_ATTEMPTS" | "TASKS_MIN_BACKOFF_SECONDS" | "TASKS_MAX_BACKOFF_SECONDS"
  | "TASKS_MAX_DOUBLINGS" | "TASKS_MAX_DISPATCHES_PER_SECOND" | "RUNNER_CAPACITY" | "DISPATCH_DEADLINE_SECONDS"
>;

type TrainingSettings = QueueSettings & Pick<Config, "TRAINING_QUEUE" | "TRAINING_RUNNER_CAPACITY" | "TRAINING_DISPATCH_DEADLINE_SECONDS">;

/**
 * The training queue: the generation queue's retry policy, its own name, concurrency and
 * deadline. Runs longer than the deadline are held by the runner's lease and heartbeat; the
 * task's retry never starts a second run while that lease lives.
 */
export function trainingQueueConfig(c: TrainingSettings): QueueConfig {
  return queueConfig({ ...c, TASKS_QUEUE: c.TRAINING_QUEUE, RUNNER_CAPACITY: c.TRAINING_RUNNER_CAPACITY, DISPATCH_DEADLINE_SECONDS: c.TRAINING_DISPATCH_DEADLINE_SECONDS });
}

// Cloud Tasks accepts 15 s .. 30 min for HTTP targets.
const DEADLINE_MIN = 15;
const DEADLINE_MAX = 1800;

export function queueConfig(c: QueueSettings): QueueConfig {
  if (c.TASKS_MIN_BACKOFF_SECONDS > c.TASKS_MAX_BACKOFF_SECONDS) throw new Error("TASKS_MIN_BACKOFF_SECONDS must not exceed TASKS_MAX_BACKOFF_SECONDS");
  return {
    project: c.PROJECT_ID,
    location: c.TASKS_LOCATION,
    queue: c.TASKS_QUEUE,
    retryConfig: {
      maxAttempts: c.TASKS_MAX_ATTEMPTS,
      minBackoffSeconds: c.TASKS_MIN_BACKOFF_SECONDS,
      maxBackoffSeconds: c.TASKS_MAX_BACKOFF_SECONDS,
      maxDoublings: c.TASKS_MAX_DOUBLINGS,
    },
    rateLimits: { maxConcurrentDispatches: c.RUNNER_CAPACITY, maxDispatchesPerSecond: c.TASKS_MAX_DISPATCHES_PER_SECOND },
    dispatchDeadlineSeconds: Math.min(DEADLINE_MAX, Math.max(DEADLINE_MIN, c.DISPATCH_DEADLINE_SECONDS)),
  };
}

export const queuePath = (q: Pick<QueueConfig, "project" | "location" | "queue">) => `projects/${q.project}/locations/${q.location}/queues/${q.queue}`;

/** The production queue, created once per project with the same settings the emulator gets. */
export function gcloudCreateQueue(q: QueueConfig): string {
  const r = q.retryConfig;
  return [
    `gcloud tasks queues create ${q.queue}`,
    `  --project=${q.project} --location=${q.location}`,
    `  --max-attempts=${r.maxAttempts} --min-backoff=${r.minBackoffSeconds}s --max-backoff=${r.maxBackoffSeconds}s --max-doublings=${r.maxDoublings}`,
    `  --max-concurrent-dispatches=${q.rateLimits.maxConcurrentDispatches} --max-dispatches-per-second=${q.rateLimits.maxDispatchesPerSecond}`,
  ].join(" \\\n");
}
