import { randomUUID } from "node:crypto";
import { removeTrainingFiles } from "../comfy/job-files";
import { publicError, toRunnerError, type RunnerError } from "../errors";
import type { Logger } from "../log";
import { isLastAttempt } from "./claim-decision";
import { discardAttemptFiles } from "./discard";
import { skip, type TaskDeps, type TaskOutcome } from "./handle-task";
import { TRAIN } from "./job-kind";
import * as repo from "./job.repo";
import { LeaseSession } from "./lease-session";
import { ProgressThrottle } from "./progress-throttle";
import { parseTrainingInput } from "./training-input";
import { runTraining } from "./training-run";
import * as trainRepo from "./training.repo";

/** Training is most of the run; the rest is preparing photos and storing the LoRA. */
const TRAINING_SHARE = 0.95;

/**
 * One /tasks/train delivery: the same claim/lease path as generation (job.repo + LeaseSession)
 * on customModels/{id}. A duplicate delivery while the lease is live answers 2xx "busy": the
 * run outlives Cloud Tasks' 30-minute deadline, and redelivering it must never start a second run.
 */
export async function handleTrainTask(
  deps: TaskDeps, id: string, retryCount: number | null, shutdown: AbortSignal, deliveredAt = Date.now(),
): Promise<TaskOutcome> {
  const { db, config } = deps;
  const log = deps.log.child({ customModelId: id });
  const owner = `${deps.instanceId}/${randomUUID()}`;
  const leaseMs = config.LEASE_SECONDS * 1000;
  const claim = await repo.claimJob(db, id, owner, leaseMs, Date.now(), { promptId: randomUUID(), clientId: randomUUID() }, TRAIN);
  if (claim.kind !== "claim") return skip(claim.kind, claim.status, retryCount, log, 200);
  const timings: Record<string, number> = { deliveredAt, claimedAt: Date.now() };
  log.info("train.claimed", { attempt: claim.attempts, retryCount });
  const session = new LeaseSession(shutdown, leaseMs, id, () => trainRepo.renewTrainingLease(db, id, owner, leaseMs), log);
  const throttle = new ProgressThrottle(config.PROGRESS_WRITE_INTERVAL_MS, undefined, timings.claimedAt);
  const onProgress = (fraction: number, step: number) => {
    const value = throttle.offer(fraction * TRAINING_SHARE, Date.now());
    if (value !== null) {
      session.write(() => trainRepo.writeTrainingProgress(db, id, owner, value, step, leaseMs))
        .then((held) => held || session.lose(), (e) => log.warn("train.progress_write_failed", { error: e }));
    }
  };
  let stored: string | null = null;
  const gpu = { ms: null as number | null };
  try {
    const input = parseTrainingInput(claim.data);
    const previous = claim.data.comfy?.promptId && claim.data.comfy?.clientId ? (claim.data.comfy as repo.ComfyIds) : null;
    const lora = await runTraining({ ...deps, log }, id, input, {
      previous, reserved: claim.reserved, signal: session.signal, onProgress, timings, onExecutionSpan: (ms) => (gpu.ms = ms),
      onSubmitted: (ids) => session.write(() => repo.recordComfyIds(db, id, owner, ids, TRAIN)).then(() => undefined),
    });
    stored = lora.path;
    const done = await session.writes.run(() => trainRepo.completeTraining(db, id, owner, lora, gpu.ms));
    // Failed by the sweeper (or an erasure) meanwhile, or taken over: the LoRA goes unless the model points at it or may.
    if (done === "lost") return leaseLost(log, undefined, await discardAttemptFiles(db, deps.storage, TRAIN, id, [lora.path], log));
    if (done === "gone") {
      // Cancelled or deleted while training: no `ready`, and the file must not outlive the model.
      await deps.storage.delete(lora.path).catch((e) => log.error("train.discard_failed", { path: lora.path, error: e }));
      log.info("train.discarded", { path: lora.path });
      await cleanUp(deps, id, log);
      return { status: 200, body: { result: "discarded" } };
    }
    log.info("train.succeeded", { sha256: lora.sha256, bytes: lora.bytes, attempt: claim.attempts, timings: spans(timings) });
    await cleanUp(deps, id, log);
    return { status: 200, body: { result: "ready", sha256: lora.sha256 } };
  } catch (e) {
    return settle(deps, id, owner, toRunnerError(e), retryCount, claim.attempts, session, log, stored, gpu.ms);
  } finally {
    session.close();
  }
}

async function settle(
  deps: TaskDeps, id: string, owner: string, err: RunnerError, retryCount: number | null, attempts: number, session: LeaseSession, log: Logger,
  stored: string | null, gpuMs: number | null,
): Promise<TaskOutcome> {
  const { db, config } = deps;
  if (err.code === "LEASE_LOST") {
    // Deleted or cancelled under us: what the run left in ComfyUI goes now. Another owner: leave it.
    const status = await trainRepo.trainingStatus(db, id).catch(() => undefined);
    if (status === "deleted" || status === "cancelled") await cleanUp(deps, id, log);
    return leaseLost(log, status, stored ? await discardAttemptFiles(db, deps.storage, TRAIN, id, [stored], log) : []);
  }
  const detail = { error: err.message, details: err.details, cause: err.cause, attempts, retryCount };
  if (!err.retryable || (isLastAttempt(retryCount, attempts, config.MAX_ATTEMPTS) && err.code !== "SHUTTING_DOWN")) {
    const error = err.retryable ? publicError("MAX_ATTEMPTS_EXCEEDED", Math.max((retryCount ?? -1) + 1, attempts), err.code) : publicError(err.code);
    if (!(await session.write(() => trainRepo.failTraining(db, id, owner, error, gpuMs)))) return leaseLost(log);
    log.error("train.failed", { code: error.code, causeCode: err.code, ...detail });
    await cleanUp(deps, id, log);
    return { status: 200, body: { result: "failed", code: error.code } };
  }
  // Back to claimable (status stays `training`, lease expired): the next delivery follows the
  // same ComfyUI prompt if it is still alive, so its folders stay until the terminal write.
  await session.write(() => repo.releaseJob(db, id, owner, TRAIN));
  log.warn("train.retry_later", { code: err.code, ...detail });
  return { status: 503, body: { result: "retry", ...publicError(err.code) } };
}

async function cleanUp(deps: TaskDeps, id: string, log: Logger): Promise<void> {
  if (!deps.comfyFolders) return;
  try {
    log.debug("train.comfy_files_removed", { removed: await removeTrainingFiles(deps.comfyFolders, id) });
  } catch (e) {
    log.warn("train.comfy_files_cleanup_failed", { error: e });
  }
}

function leaseLost(log: Logger, status?: unknown, discarded: string[] = []): TaskOutcome {
  log.warn("train.lease_lost", { status, discarded: discarded.length });
  return { status: 200, body: { result: "lease-lost", discarded: discarded.length } };
}

/** Where the run's wall time went, for the log line (and the benchmark). */
export function spans(t: Record<string, number>): Record<string, number | undefined> {
  const d = (a: string, b: string) => (t[a] !== undefined && t[b] !== undefined ? t[b] - t[a] : undefined);
  return {
    prepareUploadMs: d("claimedAt", "uploadedAt"), submitMs: d("uploadedAt", "submittedAt"), trainMs: d("executionStartedAt", "executionEndedAt"),
    downloadMs: d("executionEndedAt", "fetchedAt"), storeMs: d("fetchedAt", "storedAt"),
  };
}
