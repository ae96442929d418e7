import type { Warmup } from "../comfy/warmup";
import type { IncomingHttpHeaders } from "node:http";
import type { ComfyHttp } from "../comfy/http-client";
import type { NodeCheck } from "../comfy/node-check";
import type { Config } from "../config";
import type { TaskOutcome } from "../jobs/handle-task";
import type { JobKindName } from "../jobs/job-kind";
import type { Logger } from "../log";
import type { LocalStorage } from "../storage";

/** What the HTTP layer needs from the rest of the runner; tests and main both build one. */
export interface RunnerContext {
  config: Config;
  log: Logger;
  comfy: ComfyHttp;
  localStorage: LocalStorage | null;
  authenticate(headers: IncomingHttpHeaders): Promise<string | null>;
  /** `deliveredAt`: when the push arrived (epoch ms), the first of the job's `timings`. */
  handleJob(kind: JobKindName, id: string, retryCount: number | null, deliveredAt?: number): Promise<TaskOutcome>;
  /** Deletes every copy of a custom model's LoRA this host holds (cache and training leftovers). */
  evictLora(customModelId: string, sha256: string): Promise<number>;
  /** Returns a release function, or null when at capacity. */
  admit(): (() => void) | null;
  draining(): boolean;
  templatesLoaded(): boolean;
  /** The boot warm-up prompt (comfy/warmup.ts): readiness waits for it. */
  warmup: Warmup;
  /** The node check of the ComfyUI answering now (cached), null while unknown. */
  checkNodes(comfyUp: boolean): Promise<NodeCheck | null>;
  /** Problems that disable a job kind under the last node check (none while unknown): its templates would be refused. */
  kindProblems(kind: JobKindName): string[];
}
