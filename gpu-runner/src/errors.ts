// One error type for the runner. `retryable` decides whether Cloud Tasks should redeliver the
// task (non-2xx answer, request left claimable) or the request ends `failed` with `code`.
export type ErrorCode =
  | "COMFY_UNAVAILABLE"
  | "COMFY_TIMEOUT"
  | "COMFY_LOST_PROMPT"
  | "COMFY_INTERRUPTED"
  | "COMFY_OUTPUT_MISSING"
  | "COMFY_INCOMPLETE_OUTPUT"
  | "COMFY_WRONG_SIZE"
  | "COMFY_INVALID_WORKFLOW"
  | "COMFY_EXECUTION_ERROR"
  | "INVALID_REQUEST"
  | "INPUT_IMAGE_MISSING"
  | "TRAINING_INPUT_INVALID"
  | "LORA_UNAVAILABLE"
  | "POSTPROCESS_FAILED"
  | "STORAGE_UNAVAILABLE"
  | "LEASE_LOST"
  | "SHUTTING_DOWN"
  | "MAX_ATTEMPTS_EXCEEDED"
  | "INTERNAL";

export class RunnerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryable: boolean,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "RunnerError";
  }
}

export const errors = {
  comfyUnavailable: (what: string, cause?: unknown) =>
    new RunnerError("COMFY_UNAVAILABLE", `ComfyUI unavailable: ${what}`, true, undefined, { cause }),
  comfyTimeout: (seconds: number) => new RunnerError("COMFY_TIMEOUT", `ComfyUI did not finish within ${seconds}s`, true),
  comfyLostPrompt: (promptId: string) =>
    new RunnerError("COMFY_LOST_PROMPT", `prompt ${promptId} is in neither the queue nor the history (ComfyUI restarted?)`, true),
  comfyInterrupted: (promptId: string) => new RunnerError("COMFY_INTERRUPTED", `prompt ${promptId} was interrupted`, true),
  comfyOutputMissing: (what: string) => new RunnerError("COMFY_OUTPUT_MISSING", `ComfyUI output missing: ${what}`, true),
  // Permanent: the same workflow and seed would drop the same pictures again.
  comfyIncompleteOutput: (got: number, paid: number) =>
    new RunnerError("COMFY_INCOMPLETE_OUTPUT", `ComfyUI returned ${got} of the ${paid} images paid for; the request is refunded in full`, false, { got, paid }),
  // Permanent: an upscale model whose own scale is not the factor paid for (a catalog mistake).
  comfyWrongSize: (got: string, paid: string) =>
    new RunnerError("COMFY_WRONG_SIZE", `ComfyUI returned ${got} images where ${paid} was paid for; the request is refunded in full`, false, { got, paid }),
  comfyInvalidWorkflow: (message: string, details?: Record<string, unknown>) =>
    new RunnerError("COMFY_INVALID_WORKFLOW", `ComfyUI rejected the workflow: ${message}`, false, details),
  comfyExecutionError: (message: string, details?: Record<string, unknown>) =>
    new RunnerError("COMFY_EXECUTION_ERROR", `ComfyUI execution failed: ${message}`, false, details),
  invalidRequest: (message: string) => new RunnerError("INVALID_REQUEST", message, false),
  inputImageMissing: (path: string) => new RunnerError("INPUT_IMAGE_MISSING", `input image not found: ${path}`, false),
  // Permanent: the same photos or LoRA file would fail the same way on any runner.
  trainingInputInvalid: (message: string) => new RunnerError("TRAINING_INPUT_INVALID", message, false),
  loraUnavailable: (message: string) => new RunnerError("LORA_UNAVAILABLE", message, false),
  postprocessFailed: (cause: unknown) =>
    new RunnerError("POSTPROCESS_FAILED", `post-processing failed: ${String((cause as Error)?.message ?? cause)}`, false, undefined, { cause }),
  storageUnavailable: (cause: unknown) =>
    new RunnerError("STORAGE_UNAVAILABLE", `storage write failed: ${String((cause as Error)?.message ?? cause)}`, true, undefined, { cause }),
  leaseLost: (requestId: string) => new RunnerError("LEASE_LOST", `lease on ${requestId} was lost`, true),
  shuttingDown: () => new RunnerError("SHUTTING_DOWN", "runner is shutting down", true),
};

// What users see in `error.message` and what a push's reply body says: fixed text per code.
// The detailed message (exception text, paths, bucket and node names) goes to the logs only.
const SAFE_MESSAGES: Record<ErrorCode, string> = {
  COMFY_UNAVAILABLE: "The image generator is temporarily unavailable.",
  COMFY_TIMEOUT: "Generation took too long and was stopped.",
  COMFY_LOST_PROMPT: "The image generator restarted while working on this request.",
  COMFY_INTERRUPTED: "Generation was interrupted.",
  COMFY_OUTPUT_MISSING: "The image generator returned no images.",
  COMFY_INCOMPLETE_OUTPUT: "The image generator returned fewer images than were paid for; the request is refunded in full.",
  COMFY_WRONG_SIZE: "The image generator returned images of another size than was paid for; the request is refunded in full.",
  COMFY_INVALID_WORKFLOW: "The image generator rejected this model's workflow.",
  COMFY_EXECUTION_ERROR: "The image generator failed while rendering this request.",
  INVALID_REQUEST: "This request cannot be run as stored.",
  INPUT_IMAGE_MISSING: "The input image could not be found.",
  TRAINING_INPUT_INVALID: "The training photos could not be read.",
  LORA_UNAVAILABLE: "The custom model's file is missing or damaged.",
  POSTPROCESS_FAILED: "The generated images could not be processed.",
  STORAGE_UNAVAILABLE: "The generated images could not be stored.",
  LEASE_LOST: "Another runner took over this job.",
  SHUTTING_DOWN: "The runner is shutting down; the job will be retried.",
  MAX_ATTEMPTS_EXCEEDED: "Generation failed after several attempts.",
  INTERNAL: "Internal error.",
};

/** The `{code, message}` a user or a caller may see for a code. */
export function publicError(code: ErrorCode, attempts?: number, lastCode?: ErrorCode): { code: ErrorCode; message: string } {
  if (code === "MAX_ATTEMPTS_EXCEEDED" && attempts !== undefined)
    return { code, message: `Generation failed after ${attempts} attempt(s)${lastCode ? ` (last error: ${lastCode})` : ""}.` };
  return { code, message: SAFE_MESSAGES[code] };
}

/** Anything that is not a RunnerError is an unexpected bug or infrastructure hiccup: retry it. */
export function toRunnerError(e: unknown): RunnerError {
  if (e instanceof RunnerError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new RunnerError("INTERNAL", message, true, undefined, { cause: e });
}
