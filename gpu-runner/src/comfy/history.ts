import { errors, RunnerError } from "../errors";
import type { HistoryEntry, ImageRef } from "./types";

export type Outcome = { state: "success"; images: ImageRef[] } | { state: "failed"; error: RunnerError };

/**
 * Pure: turns a finished /history entry into the images to download or the error to report.
 * `requireImages` false: a training prompt, whose SaveLoRA lists nothing in /history.
 */
export function readOutcome(promptId: string, entry: HistoryEntry, requireImages = true): Outcome {
  const messages = entry.status?.messages ?? [];
  const errorMsg = messages.find(([name]) => name === "execution_error")?.[1];
  if (errorMsg) {
    const msg = `${String(errorMsg.node_type ?? "node")} #${String(errorMsg.node_id ?? "?")}: ${String(errorMsg.exception_message ?? "unknown error")}`;
    return { state: "failed", error: errors.comfyExecutionError(msg, { exceptionType: errorMsg.exception_type, nodeId: errorMsg.node_id }) };
  }
  if (messages.some(([name]) => name === "execution_interrupted")) return { state: "failed", error: errors.comfyInterrupted(promptId) };
  if (entry.status && entry.status.status_str !== "success")
    return { state: "failed", error: errors.comfyExecutionError(`status ${entry.status.status_str}`) };
  // PreviewImage writes `temp` files that are not results; only saved outputs count.
  const images = Object.keys(entry.outputs ?? {})
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .flatMap((node) => entry.outputs[node].images ?? [])
    .filter((img) => img.type !== "temp");
  if (images.length === 0 && requireImages) return { state: "failed", error: errors.comfyOutputMissing(`prompt ${promptId} produced no saved images`) };
  return { state: "success", images };
}

const EXECUTION_ENDS = new Set(["execution_success", "execution_error", "execution_interrupted"]);

/**
 * Pure: how long ComfyUI executed the prompt (ms), from its own status messages, which carry
 * the `timestamp` (ms) that ComfyUI's add_message stamps on each: `execution_start` to
 * `execution_success`, `execution_error` or `execution_interrupted`. Time spent queued behind
 * other prompts is before `execution_start`, so it is not included. Null when either message or
 * timestamp is missing (an old build): the caller falls back to when the WebSocket events arrived.
 */
export function executionSpanMs(entry: HistoryEntry): number | null {
  const messages = entry.status?.messages ?? [];
  const stamp = (m: [string, Record<string, unknown>] | undefined) => (typeof m?.[1]?.timestamp === "number" ? (m[1].timestamp as number) : null);
  const start = stamp(messages.find(([name]) => name === "execution_start"));
  const end = stamp(messages.find(([name]) => EXECUTION_ENDS.has(name)));
  return start !== null && end !== null && end >= start ? end - start : null;
}

/** Pure: a readable one-liner from a 400 /prompt body (new dict shape or old string shape). */
export function describePromptError(body: unknown): { message: string; details: Record<string, unknown> } {
  const b = (body ?? {}) as { error?: unknown; node_errors?: unknown };
  const top = typeof b.error === "string" ? b.error : (b.error as { message?: string; type?: string } | undefined)?.message ?? "invalid prompt";
  const type = typeof b.error === "object" && b.error ? (b.error as { type?: string }).type : undefined;
  const perNode: string[] = [];
  if (b.node_errors && !Array.isArray(b.node_errors) && typeof b.node_errors === "object") {
    for (const [id, ne] of Object.entries(b.node_errors as Record<string, { errors?: { message?: string; details?: string }[]; class_type?: string }>)) {
      for (const err of ne.errors ?? []) perNode.push(`node ${id} (${ne.class_type ?? "?"}): ${err.message ?? ""}${err.details ? ` [${err.details}]` : ""}`);
    }
  }
  return { message: [top, ...perNode].join("; "), details: { type, nodeErrors: b.node_errors } };
}
