import { z } from "zod";

// Fault injection contract (DESIGN.md): the next `count` prompts (all, if omitted) fail in
// `mode`; `refuse` drops every ComfyUI connection until mode "none"; `imageMs` = GPU time per image;
// `stepMs` = time per TrainLoraNode step (execution_error fails training half-way, hang hangs it).
// `wsDrop` (fake-only extra) kills the prompt's WebSocket mid-run and refuses its reconnects.
// `short_batch` (fake-only extra) saves one image however many the batch asked for, like a
// workflow whose filter drops pictures. `hard_hang` hangs at the sampler (or trainer) step like
// a hung CUDA call: the interrupt flag is never checked, only /fake/restart frees it.
// `worker_dead` kills the worker thread as an exception escaping prompt_worker (main.py) does:
// the prompt stays in queue_running forever, no more events, later prompts wait, HTTP answers.
// Every field is optional: a body without `mode` (say
// `{"stepMs": 5000}`) changes only what it names and keeps the current mode and count.
export const faultsSchema = z.object({
  mode: z.enum(["none", "execution_error", "hang", "hard_hang", "worker_dead", "refuse", "short_batch"]).optional(),
  count: z.number().int().positive().optional(),
  imageMs: z.number().int().min(0).max(600_000).optional(),
  stepMs: z.number().int().min(0).max(600_000).optional(),
  wsDrop: z.boolean().optional(),
  // Time between a prompt's last event and its history write, still in queue_running: real
  // ComfyUI's teardown after execute() (unload_all_models with --disable-smart-memory).
  teardownMs: z.number().int().min(0).max(600_000).optional(),
  // Real ComfyUI's handling of a second socket with the same clientId (see WsHub.realReplacement).
  realReconnect: z.boolean().optional(),
  // Newer builds' jobs API: POST /api/jobs/{id}/cancel, an atomic targeted interrupt (off: 404).
  jobsApi: z.boolean().optional(),
});
export type FaultRequest = z.infer<typeof faultsSchema>;
type Mode = NonNullable<FaultRequest["mode"]>;
export type PromptFault = "none" | "execution_error" | "hang" | "hard_hang" | "worker_dead" | "short_batch";

export class Faults {
  mode: Mode = "none";
  remaining: number | null = null;
  wsDrop = false;
  teardownMs = 0;
  jobsApi = false;
  constructor(public imageMs: number, public stepMs = 10) {}

  set(req: FaultRequest): void {
    if (req.mode !== undefined) this.mode = req.mode;
    if (req.mode !== undefined || req.count !== undefined) this.remaining = this.mode === "none" || this.mode === "refuse" ? null : req.count ?? null;
    if (req.imageMs !== undefined) this.imageMs = req.imageMs;
    if (req.stepMs !== undefined) this.stepMs = req.stepMs;
    if (req.jobsApi !== undefined) this.jobsApi = req.jobsApi;
    if (req.teardownMs !== undefined) this.teardownMs = req.teardownMs;
    else if (req.mode === "none") this.teardownMs = 0;
    if (req.wsDrop !== undefined) this.wsDrop = req.wsDrop;
    else if (req.mode === "none") this.wsDrop = false;
  }

  get refusing(): boolean {
    return this.mode === "refuse";
  }

  /** Fault for a newly accepted prompt, consuming one of `count`. */
  take(): PromptFault {
    if (this.mode === "none" || this.mode === "refuse") return "none";
    const mode = this.mode;
    if (this.remaining !== null && --this.remaining <= 0) {
      this.mode = "none";
      this.remaining = null;
    }
    return mode;
  }

  snapshot() {
    return { mode: this.mode, count: this.remaining, imageMs: this.imageMs, stepMs: this.stepMs, wsDrop: this.wsDrop, teardownMs: this.teardownMs };
  }
}
