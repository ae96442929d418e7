// Warm start: a tiny prompt (one 64×64 image, one step) through a generation template before the
// runner reports ready. Real ComfyUI loads a checkpoint on its first execution, not at boot
// (docs/comfyui-protocol.md), so without it the first paid job waits for the model load. The
// warm-up runs once per process; readiness probes start it and retry it after a failure.
import fs from "node:fs/promises";
import type { Logger } from "../log";
import type { ComfyHttp } from "./http-client";
import { insideRoot, type ComfyFolders } from "./job-files";
import { renderWorkflow } from "./render-workflow";
import { runPrompt } from "./run-prompt";
import { isTrainingTemplate, type Template } from "./templates";

export const WARMUP_NAMESPACE = "imagegen-warmup";

export interface WarmupStatus {
  state: "off" | "pending" | "running" | "done" | "failed";
  template: string | null;
  /** How long the warm-up prompt took, submit to images (ms); null until done. */
  ms: number | null;
  attempts: number;
  error?: string;
}

export interface WarmupOptions { template: string; retryMs: number; timeoutMs: number; pollIntervalMs: number; reconnectMs: number; folders: ComfyFolders | null; now?: () => number }

/** Pure: the template to warm up with, or null for `off`; throws (at boot) when it cannot be one. */
export function warmupTemplate(name: string, templates: Map<string, Template>): Template | null {
  if (name === "off") return null;
  const t = templates.get(name);
  if (!t) throw new Error(`WARMUP_TEMPLATE "${name}" is not a template (known: ${[...templates.keys()].join(", ")}, or off)`);
  if (isTrainingTemplate(t) || t.mapping.inputImage) throw new Error(`WARMUP_TEMPLATE "${name}" must be a text-to-image generation template`);
  return t;
}

export class Warmup {
  private status: WarmupStatus;
  private failedAt = 0;
  private readonly template: Template | null;
  private readonly now: () => number;

  constructor(private readonly comfy: ComfyHttp, templates: Map<string, Template>, private readonly log: Logger, private readonly opts: WarmupOptions) {
    this.template = warmupTemplate(opts.template, templates);
    this.now = opts.now ?? Date.now;
    this.status = { state: this.template ? "pending" : "off", template: this.template?.name ?? null, ms: null, attempts: 0 };
  }

  get ready(): boolean {
    return this.status.state === "off" || this.status.state === "done";
  }

  snapshot(): WarmupStatus {
    return { ...this.status };
  }

  /** Starts the warm-up when ComfyUI is usable and none is running or done (a failed one after retryMs). */
  poke(comfyUsable: boolean): void {
    const s = this.status.state;
    if (!comfyUsable || s === "off" || s === "running" || s === "done") return;
    if (s === "failed" && this.now() - this.failedAt < this.opts.retryMs) return;
    void this.run();
  }

  private async run(): Promise<void> {
    const t = this.template!;
    this.status = { ...this.status, state: "running", attempts: this.status.attempts + 1, error: undefined };
    const started = this.now();
    const prefix = `${WARMUP_NAMESPACE}/${started}`;
    let error: unknown = null;
    try {
      const workflow = renderWorkflow(t, { positivePrompt: "warm-up", negativePrompt: "", seed: 0, steps: 1, cfg: 7, width: 64, height: 64, batchSize: 1, filenamePrefix: prefix });
      await runPrompt(this.comfy, { workflow, timeoutMs: this.opts.timeoutMs, pollIntervalMs: this.opts.pollIntervalMs, reconnectMs: this.opts.reconnectMs, log: this.log });
    } catch (e) {
      error = e;
    }
    const ms = this.now() - started;
    // Its files go before the state changes: ready means nothing of the warm-up is left behind.
    await this.removeFiles();
    if (error) {
      this.failedAt = this.now();
      this.status = { ...this.status, state: "failed", error: (error as Error).message };
      this.log.warn("runner.warmup_failed", { template: t.name, error });
    } else {
      this.status = { ...this.status, state: "done", ms };
      this.log.info("runner.warmup_done", { template: t.name, ms });
    }
  }

  /** The warm-up image is nobody's: it leaves ComfyUI's output folder at once. */
  private async removeFiles(): Promise<void> {
    const dir = this.opts.folders ? insideRoot(this.opts.folders.output, WARMUP_NAMESPACE) : null;
    if (dir) await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
