import { randomUUID } from "node:crypto";
import { errors, RunnerError } from "../errors";
import type { Logger } from "../log";
import { EventSocket } from "./event-socket";
import { executionSpanMs, readOutcome } from "./history";
import { parsePreviewFrame } from "./preview-frame";
import { ComfyHttp, type QueueState } from "./http-client";
import type { ApiWorkflow } from "./templates";
import type { ImageRef, WsMessage } from "./types";

export interface RunOptions {
  workflow: ApiWorkflow;
  promptId?: string;
  clientId?: string;
  timeoutMs: number;
  pollIntervalMs: number;
  reconnectMs: number;
  signal?: AbortSignal;
  /** `value`/`max` as ComfyUI sent them (a training run: micro-steps, steps × grad_accumulation_steps). */
  onProgress?: (fraction: number, value: number, max: number) => void;
  /**
   * The node whose progress counts (the template's sampler or trainer, where `steps` is mapped).
   * Others emit progress too (tiled VAE after an out-of-memory error, custom nodes), which would
   * freeze the never-backwards fraction early. Unset: every node of the prompt counts.
   */
  progressNode?: string;
  /** After a timeout or abort: how long to wait for the prompt to leave queue_running before marking ComfyUI stuck. */
  abandonConfirmMs?: number;
  /** false: the prompt saves no images (training); success is an empty list. */
  requireImages?: boolean;
  /** Follow an already submitted prompt (promptId + clientId of an earlier attempt) instead of submitting. */
  attach?: boolean;
  /** Sampler previews (the encoded JPEG or PNG of each preview frame on our socket); set = previews asked for. */
  onPreview?: (image: Buffer, format: "jpeg" | "png") => void;
  /** Called after ComfyUI accepted the prompt, before waiting: lets the caller persist the ids. */
  onSubmitted?: (ids: { promptId: string; clientId: string }) => Promise<void> | void;
  /**
   * Called once the prompt ended (success or failure) with ComfyUI's execution time in ms:
   * from its history's timestamps, else from when the WebSocket's start and end events arrived.
   * Not called when the prompt never started executing (or the runner gave up on it).
   */
  onExecutionSpan?: (ms: number) => void;
  log: Logger;
}

/** When things happened, as seen by the runner (epoch ms); ComfyUI's own events give the execution span. */
export interface RunTimings { submittedAt?: number; executionStartedAt?: number; executionEndedAt?: number; fetchedAt?: number }

export interface RunResult { promptId: string; images: { ref: ImageRef; bytes: Buffer }[]; wsReconnects: number; timings: RunTimings }

const HISTORY_FAILURES_TOLERATED = 3;
/** ComfyUI's last message of an execution (execution_success precedes `executing {node: null}`). */
const EXECUTION_ENDS = new Set(["execution_success", "execution_error", "execution_interrupted"]);
const FAST_POLL_MS = 100;
const FAST_POLLS_AFTER_DONE = 30;
const ABANDON_CONFIRM_MS = 30_000;

/** Submits a workflow (or attaches to one) and follows it to the end: WebSocket for progress, /history as the source of truth. */
export async function runPrompt(http: ComfyHttp, opts: RunOptions): Promise<RunResult> {
  if (opts.attach && (!opts.promptId || !opts.clientId)) throw new Error("attach needs promptId and clientId");
  let promptId = opts.promptId ?? randomUUID();
  const clientId = opts.clientId ?? randomUUID();
  let wake: () => void = () => undefined;
  let doneSignalled = false;
  const timings: RunTimings = {};
  const onMessage = (msg: WsMessage) => {
    if (msg.data?.prompt_id !== promptId) return;
    http.health.noteEvent();
    if (msg.type === "execution_start") timings.executionStartedAt ??= Date.now();
    else if (msg.type === "progress") {
      const { value, max, node } = msg.data as { value: number; max: number; node?: string };
      if (opts.progressNode !== undefined && node !== opts.progressNode) return;
      if (max > 0) opts.onProgress?.(Math.min(1, value / max), value, max);
    } else if ((msg.type === "executing" && msg.data.node === null) || EXECUTION_ENDS.has(msg.type)) {
      doneSignalled = true;
      timings.executionEndedAt ??= Date.now();
      wake();
    }
  };
  // Open the socket before POST /prompt so no event of this prompt can be missed.
  // Binary frames carry no prompt id: ComfyUI sends them to the running prompt's client only, and the clientId is ours alone.
  const onBinary = opts.onPreview ? (frame: Buffer) => { const p = parsePreviewFrame(frame); if (p) opts.onPreview!(p.bytes, p.format); } : undefined;
  const socket = new EventSocket(http.baseUrl, clientId, onMessage, opts.log, opts.reconnectMs, onBinary);
  await socket.open();
  try {
    if (!opts.attach) {
      const accepted = await http.submitPrompt(opts.workflow, promptId, clientId, Boolean(opts.onPreview));
      // Old ComfyUI builds ignore our prompt_id: always follow the id the server returns.
      promptId = accepted.prompt_id;
      timings.submittedAt = Date.now();
      await opts.onSubmitted?.({ promptId, clientId });
    }
    let spanReported = false;
    const reportSpan = (ms: number) => {
      spanReported = true;
      opts.onExecutionSpan?.(ms);
    };
    const images = await waitForImages(http, promptId, opts, () => doneSignalled, (fn) => (wake = fn), reportSpan).finally(() => {
      const { executionStartedAt: start, executionEndedAt: end } = timings;
      if (!spanReported && start !== undefined && end !== undefined) reportSpan(end - start);
    });
    const fetched = [];
    for (const ref of images) fetched.push({ ref, bytes: await http.view(ref) });
    timings.fetchedAt = Date.now();
    return { promptId, images: fetched, wsReconnects: socket.reconnects, timings };
  } finally {
    socket.close();
  }
}

async function waitForImages(
  http: ComfyHttp, promptId: string, opts: RunOptions, doneSignalled: () => boolean, setWake: (fn: () => void) => void,
  reportSpan: (ms: number) => void,
): Promise<ImageRef[]> {
  // The budget is for execution: while the prompt waits behind another one, the deadline moves.
  let deadline = Date.now() + opts.timeoutMs;
  let failures = 0;
  // After a done event: null = fast polls not started, n > 0 left, 0 = used up (then poll normally).
  let fastPolls: number | null = null;
  // An attached prompt may be finished already: look at once.
  let first = true;
  for (;;) {
    // A done event that arrived while we were not sleeping (during onSubmitted, or a poll) woke
    // nobody: look at once instead of sleeping a whole poll interval.
    const wait = (first && opts.attach) || (fastPolls === null && doneSignalled()) ? 0 : fastPolls ? FAST_POLL_MS : opts.pollIntervalMs;
    first = false;
    await sleepUntilWoken(Math.min(wait, Math.max(0, deadline - Date.now())), setWake, opts.signal);
    if (opts.signal?.aborted) return abandon(http, promptId, opts, opts.signal.reason as RunnerError);
    if (Date.now() >= deadline) return abandon(http, promptId, opts, errors.comfyTimeout(Math.round(opts.timeoutMs / 1000)));
    try {
      const entry = await http.history(promptId);
      failures = 0;
      if (entry) {
        const span = executionSpanMs(entry);
        if (span !== null) reportSpan(span);
        const outcome = readOutcome(promptId, entry, opts.requireImages ?? true);
        if (outcome.state === "failed") throw outcome.error;
        return outcome.images;
      }
      // The terminal event precedes the history write: poll fast for a moment after it. It is a
      // hint, not proof: teardown (model unloading) can delay history for longer, and an
      // ExecutionBlocked error does not end the prompt. So once the fast polls are used up, the
      // prompt is lost only if it is in neither the queue nor history, as without the event.
      if (doneSignalled() && fastPolls !== 0) {
        fastPolls = (fastPolls ?? FAST_POLLS_AFTER_DONE) - 1;
        if (fastPolls > 0) continue;
      }
      // Re-read history after the queue: the prompt may have finished between the two calls.
      const state = await http.queueState(promptId);
      if (state === "pending") deadline = Date.now() + opts.timeoutMs;
      if (state === null && !(await http.history(promptId))) throw errors.comfyLostPrompt(promptId);
    } catch (e) {
      if (!(e instanceof RunnerError) || e.code !== "COMFY_UNAVAILABLE" || ++failures > HISTORY_FAILURES_TOLERATED) throw e;
      opts.log.warn("comfy.poll.failed", { promptId, failures, error: e.message });
    }
  }
}

function sleepUntilWoken(ms: number, setWake: (fn: () => void) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      setWake(() => undefined);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    setWake(done);
  });
}

/**
 * Interrupts the prompt and deletes it if still waiting, then confirms it left the worker. Real
 * ComfyUI checks the interrupt flag only between nodes and at sampler/trainer steps: model
 * loading or a hung CUDA call ignores it. A prompt still running at the deadline marks ComfyUI
 * stuck (readiness fails, the watchdog restarts the host) instead of letting later prompts
 * queue behind it.
 */
async function abandon(http: ComfyHttp, promptId: string, opts: RunOptions, reason: RunnerError): Promise<never> {
  try {
    await http.interrupt(promptId);
    opts.log.warn("comfy.interrupted", { promptId, reason: reason.code });
  } catch (e) {
    opts.log.warn("comfy.interrupt.failed", { promptId, error: (e as Error).message });
  }
  const confirmMs = opts.abandonConfirmMs ?? ABANDON_CONFIRM_MS;
  const until = Date.now() + confirmMs;
  for (;;) {
    let state: QueueState | "unknown";
    try {
      state = await http.queueState(promptId, 2000);
    } catch {
      state = "unknown";
    }
    if (state !== "running" && state !== "unknown") break;
    if (Date.now() >= until) {
      if (state === "running") {
        http.health.markStuck(`prompt ${promptId} still running ${Math.round(confirmMs / 1000)} s after its interrupt`);
        opts.log.error("comfy.abandon_unconfirmed", { promptId, confirmMs });
      }
      break;
    }
    await new Promise((r) => setTimeout(r, Math.min(FAST_POLL_MS * 2, Math.max(0, until - Date.now()))));
  }
  throw reason;
}
