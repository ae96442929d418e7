import type { Firestore } from "firebase-admin/firestore";
import { randomUUID } from "node:crypto";
import { removeJobFiles, type ComfyFolders } from "../comfy/job-files";
import { publicError, toRunnerError, type RunnerError } from "../errors";
import { isLastAttempt } from "./claim-decision";
import { discardAttemptFiles } from "./discard";
import { GENERATE } from "./job-kind";
import { executeJob, type ComfyIds, type ExecuteDeps } from "./execute-job";
import { parseJobInput } from "./job-input";
import { recordExecution } from "./eta-stats.repo";
import { PreviewSink, previewPath } from "./preview";
import * as repo from "./job.repo";
import { ProgressThrottle, SAMPLING_SHARE } from "./progress-throttle";
import { LeaseSession } from "./lease-session";
import type { SerialQueue } from "./serial";
import { timingSpans, type JobTimings } from "./timings";

export interface TaskDeps extends ExecuteDeps {
  db: Firestore;
  instanceId: string;
  /** ComfyUI's folders, shared with the runner; null = files are not cleaned up (dev without them). */
  comfyFolders: ComfyFolders | null;
}
export interface TaskOutcome { status: number; body: Record<string, unknown> }

/**
 * One task delivery. 2xx = Cloud Tasks is done with it (success, permanent failure, nothing to
 * do); non-2xx = redeliver later (job busy elsewhere or a retryable error, job left claimable).
 */
export async function handleTask(
  deps: TaskDeps, requestId: string, retryCount: number | null, shutdown: AbortSignal, deliveredAt = Date.now(),
): Promise<TaskOutcome> {
  const { db, config } = deps;
  const log = deps.log.child({ requestId });
  const owner = `${deps.instanceId}/${randomUUID()}`;
  const leaseMs = config.LEASE_SECONDS * 1000;
  const claim = await repo.claimJob(db, requestId, owner, leaseMs, Date.now(), { promptId: randomUUID(), clientId: randomUUID() });
  if (claim.kind !== "claim") return skip(claim.kind, claim.status, retryCount, log);
  const started = Date.now();
  const timings: JobTimings = { deliveredAt, claimedAt: started };
  log.info("job.claimed", { attempt: claim.attempts, retryCount, claimMs: started - deliveredAt });
  const session = new LeaseSession(shutdown, leaseMs, requestId, () => repo.renewLease(db, requestId, owner, leaseMs), log);
  const writes = session.writes;
  const throttle = new ProgressThrottle(config.PROGRESS_WRITE_INTERVAL_MS, undefined, started);
  const onProgress = (fraction: number) => {
    const value = throttle.offer(fraction * SAMPLING_SHARE, Date.now());
    if (value !== null) writes.run(() => repo.writeProgress(db, requestId, owner, value)).catch((e) => log.warn("job.progress_write_failed", { error: e }));
  };
  const stored: string[] = [];
  const previews = new PreviewSink({
    intervalMs: config.PREVIEW_INTERVAL_MS, log,
    store: async (webp) => {
      const path = previewPath(claim.data.userId, requestId);
      if (!stored.includes(path)) stored.push(path); // taken back with the outputs if the final write is refused
      await deps.storage.put(path, webp, "image/webp");
      await writes.run(() => repo.writePreview(db, requestId, owner, path));
    },
  });
  // The last execution span ComfyUI reported for this attempt (a failed prompt used the GPU too).
  const gpu = { ms: null as number | null };
  try {
    const job = parseJobInput(claim.data);
    const previous = claim.data.comfy?.promptId && claim.data.comfy?.clientId ? (claim.data.comfy as ComfyIds) : null;
    const outputs = await executeJob({ ...deps, log }, requestId, claim.attempts, job, {
      previous, reserved: claim.reserved, signal: session.signal, onProgress, timings, stored, onExecutionSpan: (ms) => (gpu.ms = ms),
      onPreview: config.PREVIEW_INTERVAL_MS > 0 ? (image) => previews.offer(image) : undefined,
      onSubmitted: (ids) => writes.run(() => repo.recordComfyIds(db, requestId, owner, ids)).then(() => undefined),
    });
    await previews.flush();
    if (!(await writes.run(() => repo.completeJob(db, requestId, owner, outputs, started, timings, gpu.ms)))) return leaseLost(log, requestId, await discard(deps, requestId, stored, log));
    log.info("job.succeeded", { outputs: outputs.length, durationMs: Date.now() - started, timings: timingSpans(timings) });
    // The ETA learns from the same execution span as gpuSeconds (run-prompt.ts already falls back to WebSocket times).
    await recordExecution(db, claim.data.etaKey, gpu.ms ?? undefined, job.render.batchSize).catch((e) => log.warn("job.eta_sample_failed", { error: e }));
    await cleanUpComfyFiles(deps, requestId, log);
    return { status: 200, body: { result: "succeeded", outputs: outputs.length } };
  } catch (e) {
    await previews.flush(); // a preview still being stored must not land after the failure's cleanup
    return settleError(deps, requestId, owner, toRunnerError(e), retryCount, claim.attempts, started, log, writes, stored, gpu.ms);
  } finally {
    session.close();
  }
}

async function settleError(
  deps: TaskDeps, requestId: string, owner: string, err: RunnerError, retryCount: number | null, attempts: number, started: number, log: TaskDeps["log"],
  writes: SerialQueue, stored: string[], gpuMs: number | null,
): Promise<TaskOutcome> {
  const { db, config } = deps;
  if (err.code === "LEASE_LOST") return leaseLost(log, requestId, await discard(deps, requestId, stored, log));
  const last = isLastAttempt(retryCount, attempts, config.MAX_ATTEMPTS) && err.code !== "SHUTTING_DOWN";
  // Users see the code and a fixed message; the detail (exception text, paths) is logged only.
  const detail = { error: err.message, details: err.details, cause: err.cause, attempts, retryCount };
  if (!err.retryable || last) {
    const tried = Math.max((retryCount ?? -1) + 1, attempts);
    const error = err.retryable ? publicError("MAX_ATTEMPTS_EXCEEDED", tried, err.code) : publicError(err.code);
    if (!(await writes.run(() => repo.failJob(db, requestId, owner, error, started, gpuMs)))) return leaseLost(log, requestId, await discard(deps, requestId, stored, log));
    log.error("job.failed", { code: error.code, causeCode: err.code, ...detail });
    // A failed job lists no outputs: whatever this attempt stored before failing goes.
    await discard(deps, requestId, stored, log);
    await cleanUpComfyFiles(deps, requestId, log);
    return { status: 200, body: { result: "failed", code: error.code } };
  }
  // The job goes back to the queue: its ComfyUI files stay, since the next attempt may follow
  // the same prompt (reattach) and read them; the terminal attempt deletes every attempt's files.
  await writes.run(() => repo.releaseJob(db, requestId, owner));
  log.warn("job.retry_later", { code: err.code, ...detail });
  return { status: 503, body: { result: "retry", ...publicError(err.code) } };
}

/** After the terminal write only: a runner that lost the lease leaves the files to the new owner. */
async function cleanUpComfyFiles(deps: TaskDeps, requestId: string, log: TaskDeps["log"]): Promise<void> {
  if (!deps.comfyFolders) return;
  try {
    const t0 = Date.now();
    const removed = await removeJobFiles(deps.comfyFolders, requestId);
    log.debug("job.comfy_files_removed", { removed, ms: Date.now() - t0 });
  } catch (e) {
    log.warn("job.comfy_files_cleanup_failed", { error: e });
  }
}

function leaseLost(log: TaskDeps["log"], requestId: string, discarded: string[] = []): TaskOutcome {
  log.warn("job.lease_lost", { requestId, discarded: discarded.length });
  return { status: 200, body: { result: "lease-lost", discarded: discarded.length } };
}

/** Our final write was refused (or the job failed): the files this attempt stored that nobody will list go. */
const discard = (deps: TaskDeps, requestId: string, stored: string[], log: TaskDeps["log"]) => discardAttemptFiles(deps.db, deps.storage, GENERATE, requestId, stored, log);

/**
 * Deliveries that do no work: for generation only `busy` asks Cloud Tasks to come back; a
 * training run outlives the task's deadline, so its duplicate delivery is answered 2xx (busyStatus 200).
 */
export function skip(kind: "unknown" | "terminal" | "busy" | "invalid", status: unknown, retryCount: number | null, log: TaskDeps["log"], busyStatus = 409): TaskOutcome {
  switch (kind) {
    case "unknown":
      log.warn("task.unknown_request", { retryCount });
      return { status: 200, body: { result: "unknown-request" } };
    case "terminal":
      log.info("task.already_terminal", { status });
      return { status: 200, body: { result: "already-done", status } };
    case "busy":
      log.info("task.busy", { retryCount });
      return { status: busyStatus, body: { result: "busy", message: "another delivery holds the lease" } };
    case "invalid":
      log.error("task.invalid_status", { status });
      return { status: 200, body: { result: "invalid-status", status } };
  }
}
