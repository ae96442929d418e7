import type { Logger } from "../log";
import type { ComfyHttp } from "./http-client";

// A stuck ComfyUI looks healthy over HTTP: /system_stats and /object_info answer while one prompt
// occupies the worker forever (a hung CUDA call ignores the interrupt flag) or the worker thread
// is gone (an exception escaping prompt_worker in main.py). Later prompts queue behind it. The
// watchdog sees this from /queue: the same prompt in queue_running, with no WebSocket event of
// ours for `stallMs`. (History changes only when a prompt leaves the worker, which also changes
// queue_running, so the running prompt's id stands for both.) It then marks ComfyUI stuck, which
// fails readiness, and calls `onStuck`, which exits the process so the platform restarts the host.

export interface WatchState { promptId: string | null; since: number }

/** Pure: the next state, and a reason when one prompt held the worker silently for `stallMs`. */
export function watchStep(prev: WatchState, runningId: string | null, lastEventAt: number, now: number, stallMs: number): { state: WatchState; stalled: string | null } {
  if (!runningId) return { state: { promptId: null, since: now }, stalled: null };
  const state = runningId === prev.promptId ? prev : { promptId: runningId, since: now };
  const quietFor = now - Math.max(state.since, lastEventAt);
  return { state, stalled: quietFor >= stallMs ? `prompt ${runningId} has held ComfyUI's worker for ${Math.round(quietFor / 1000)} s without an event` : null };
}

export interface Watchdog { stop(): void }

export function startWatchdog(comfy: ComfyHttp, log: Logger, opts: { intervalMs: number; stallMs: number; onStuck: (reason: string) => void }): Watchdog {
  let state: WatchState = { promptId: null, since: Date.now() };
  let fired = false;
  const fire = (reason: string) => {
    if (fired) return;
    fired = true;
    comfy.health.markStuck(reason);
    log.error("runner.comfy_stuck", { reason });
    opts.onStuck(reason);
  };
  const tick = async () => {
    if (comfy.health.stuck) return fire(comfy.health.stuck);
    try {
      const q = await comfy.queue(5000);
      const running = q.queue_running[0]?.[1];
      const step = watchStep(state, typeof running === "string" ? running : null, comfy.health.lastEventAt, Date.now(), opts.stallMs);
      state = step.state;
      if (step.stalled) fire(step.stalled);
    } catch {
      // ComfyUI not answering is readiness's business (checks.comfy), not a stuck worker.
    }
  };
  const timer = setInterval(() => void tick(), opts.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
