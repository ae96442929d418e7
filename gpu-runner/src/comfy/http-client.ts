import { errors } from "../errors";
import { describePromptError } from "./history";
import type { HistoryEntry, ImageRef, PromptResponse } from "./types";

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * What the runner has seen of ComfyUI's worker, shared by every prompt on this host: when the
 * last WebSocket event of one of our prompts arrived, and whether a prompt is known to be stuck
 * (it ignored an interrupt). The watchdog and readiness read it.
 */
export class ComfyHealth {
  lastEventAt = Date.now();
  stuck: string | null = null;
  noteEvent(): void {
    this.lastEventAt = Date.now();
  }
  markStuck(reason: string): void {
    this.stuck ??= reason;
  }
}

export type QueueState = "running" | "pending" | null;

/** ComfyUI's REST routes. Connection failures and 5xx become retryable COMFY_UNAVAILABLE. */
export class ComfyHttp {
  readonly health = new ComfyHealth();
  constructor(readonly baseUrl: string) {}

  private async call(path: string, init: RequestInit = {}, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      throw errors.comfyUnavailable(`${init.method ?? "GET"} ${path}: ${(e as Error).message}`, e);
    }
    if (res.status >= 500) throw errors.comfyUnavailable(`${init.method ?? "GET"} ${path} answered ${res.status}`);
    return res;
  }

  private async json<T>(path: string, init?: RequestInit): Promise<T> {
    const res = await this.call(path, init);
    if (!res.ok) throw errors.comfyUnavailable(`${path} answered ${res.status}`);
    return (await res.json()) as T;
  }

  /**
   * `previews`: extra_data.preview_method "auto" (execution.py applies it per prompt; without
   * it the server's --preview-method, default none, sends no preview frames).
   */
  async submitPrompt(workflow: unknown, promptId: string, clientId: string, previews = false): Promise<PromptResponse> {
    const res = await this.call("/prompt", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: workflow, prompt_id: promptId, client_id: clientId, ...(previews ? { extra_data: { preview_method: "auto" } } : {}) }),
    });
    const body = await res.json().catch(() => null);
    if (res.status === 400) {
      const { message, details } = describePromptError(body);
      throw errors.comfyInvalidWorkflow(message, details);
    }
    if (!res.ok) throw errors.comfyUnavailable(`POST /prompt answered ${res.status}`);
    return body as PromptResponse;
  }

  /** null while the prompt is unknown or unfinished (ComfyUI answers `{}`). */
  async history(promptId: string): Promise<HistoryEntry | null> {
    const body = await this.json<Record<string, HistoryEntry>>(`/history/${encodeURIComponent(promptId)}`);
    return body[promptId] ?? null;
  }

  async isQueued(promptId: string): Promise<boolean> {
    return (await this.queueState(promptId)) !== null;
  }

  /** Where the prompt is in /queue: on the worker, waiting, or in neither. */
  async queueState(promptId: string, timeoutMs?: number): Promise<QueueState> {
    const q = await this.queue(timeoutMs);
    if (q.queue_running.some((item) => item[1] === promptId)) return "running";
    return q.queue_pending.some((item) => item[1] === promptId) ? "pending" : null;
  }

  async queue(timeoutMs = REQUEST_TIMEOUT_MS): Promise<{ queue_running: unknown[][]; queue_pending: unknown[][] }> {
    const res = await this.call("/queue", {}, timeoutMs);
    if (!res.ok) throw errors.comfyUnavailable(`/queue answered ${res.status}`);
    return (await res.json()) as { queue_running: unknown[][]; queue_pending: unknown[][] };
  }

  async view(img: ImageRef): Promise<Buffer> {
    const qs = new URLSearchParams({ filename: img.filename, subfolder: img.subfolder ?? "", type: img.type || "output" });
    const res = await this.call(`/view?${qs}`, {}, 120_000);
    if (res.status === 404) throw errors.comfyOutputMissing(`${img.subfolder}/${img.filename}`);
    if (!res.ok) throw errors.comfyUnavailable(`GET /view answered ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  }

  async uploadImage(bytes: Buffer, filename: string, subfolder = ""): Promise<{ name: string; subfolder: string; type: string }> {
    return this.uploadFile(bytes, filename, subfolder, "image/png");
  }

  /** POST /upload/image takes any file (no extension allow-list): training captions go the same way. */
  async uploadFile(bytes: Buffer, filename: string, subfolder: string, contentType: string): Promise<{ name: string; subfolder: string; type: string }> {
    const form = new FormData();
    form.set("image", new Blob([new Uint8Array(bytes)], { type: contentType }), filename);
    form.set("type", "input");
    form.set("subfolder", subfolder);
    form.set("overwrite", "true");
    const res = await this.call("/upload/image", { method: "POST", body: form }, 120_000);
    if (!res.ok) throw errors.comfyInvalidWorkflow(`upload of ${filename} answered ${res.status}`);
    return (await res.json()) as { name: string; subfolder: string; type: string };
  }

  /** Short timeouts: this runs on the way out (job timeout, SIGTERM), where seconds are counted. */
  async interrupt(promptId: string, timeoutMs = 2000): Promise<void> {
    const init = { method: "POST", headers: { "content-type": "application/json" } };
    // Prefer the jobs API's cancel where the build has it: it interrupts only if this prompt is
    // the running one, atomically. /interrupt {prompt_id} checks, then sets a global flag, so a
    // prompt that ends in between lets the flag hit the next one (another job's).
    const cancel = await this.call(`/api/jobs/${encodeURIComponent(promptId)}/cancel`, init, timeoutMs);
    if (!cancel.ok) await this.call("/interrupt", { ...init, body: JSON.stringify({ prompt_id: promptId }) }, timeoutMs);
    // A prompt still waiting in the queue is not "running", so interrupt skips it: delete it too.
    await this.call("/queue", { ...init, body: JSON.stringify({ delete: [promptId] }) }, timeoutMs);
  }

  /** Every node class with its inputs; large on a real install (custom nodes), so callers cache it. */
  async objectInfo(timeoutMs = 10_000): Promise<unknown> {
    const res = await this.call("/object_info", {}, timeoutMs);
    if (!res.ok) throw errors.comfyUnavailable(`/object_info answered ${res.status}`);
    return res.json();
  }

  /** `system.comfyui_version` of /system_stats, or null when this build does not report it. */
  static versionOf(stats: unknown): string | null {
    const v = (stats as { system?: { comfyui_version?: unknown } } | null)?.system?.comfyui_version;
    return typeof v === "string" ? v : null;
  }

  async systemStats(timeoutMs = 3000): Promise<unknown> {
    const res = await this.call("/system_stats", {}, timeoutMs);
    if (!res.ok) throw errors.comfyUnavailable(`/system_stats answered ${res.status}`);
    return res.json();
  }
}
