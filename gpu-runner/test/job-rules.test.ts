import { Timestamp } from "firebase-admin/firestore";
import { readOutcome, describePromptError } from "../src/comfy/history";
import { errors, RunnerError, toRunnerError } from "../src/errors";
import { decideClaim, isLastAttempt } from "../src/jobs/claim-decision";
import { ProgressThrottle } from "../src/jobs/progress-throttle";

const now = 1_800_000_000_000;
const lease = (ms: number) => ({ owner: "r/1", expiresAt: Timestamp.fromMillis(ms) });

describe("claim rules", () => {
  it.each([
    ["no document", "unknown", undefined],
    ["queued", "claim", { status: "queued" }],
    ["running with a valid lease", "busy", { status: "running", lease: lease(now + 1000) }],
    ["running with an expired lease", "claim", { status: "running", lease: lease(now - 1) }],
    ["running without a lease", "claim", { status: "running", lease: null }],
    ["succeeded", "terminal", { status: "succeeded" }],
    ["failed", "terminal", { status: "failed" }],
    ["cancelled", "terminal", { status: "cancelled" }],
    ["an unknown status", "invalid", { status: "weird" }],
  ])("%s → %s", (_name, expected, doc) => {
    expect(decideClaim(doc as never, now)).toBe(expected);
  });

  it("recognises its own committed claim when the SDK re-runs the claim transaction (not busy)", () => {
    const mine = { status: "running", lease: lease(now + 1000) };
    expect(decideClaim(mine as never, now, "r/1")).toBe("reclaim");
    expect(decideClaim(mine as never, now, "r/2")).toBe("busy");
    expect(decideClaim({ status: "succeeded", lease: null } as never, now, "r/1")).toBe("terminal");
  });

  it("knows the last attempt from the Cloud Tasks retry count or the claim count", () => {
    expect(isLastAttempt(4, 1, 5)).toBe(true);
    expect(isLastAttempt(3, 1, 5)).toBe(false);
    expect(isLastAttempt(null, 5, 5)).toBe(true);
    expect(isLastAttempt(null, 4, 5)).toBe(false);
    expect(isLastAttempt(0, 0, 1)).toBe(true);
  });
});

describe("error classification", () => {
  it.each([
    ["COMFY_UNAVAILABLE", errors.comfyUnavailable("x"), true],
    ["COMFY_TIMEOUT", errors.comfyTimeout(5), true],
    ["COMFY_LOST_PROMPT", errors.comfyLostPrompt("p"), true],
    ["COMFY_INVALID_WORKFLOW", errors.comfyInvalidWorkflow("bad"), false],
    ["COMFY_EXECUTION_ERROR", errors.comfyExecutionError("oom"), false],
    ["INVALID_REQUEST", errors.invalidRequest("no"), false],
    ["INTERNAL", toRunnerError(new Error("boom")), true],
  ])("%s", (code, err, retryable) => {
    expect(err).toBeInstanceOf(RunnerError);
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(retryable);
  });

  it("reads execution errors, interrupts and saved images from /history", () => {
    const msg = (name: string, data: object) => [name, { prompt_id: "p", ...data }] as [string, Record<string, unknown>];
    const failed = readOutcome("p", { outputs: {}, status: { status_str: "error", completed: false, messages: [msg("execution_start", {}), msg("execution_error", { node_id: "3", node_type: "KSampler", exception_message: "CUDA OOM", exception_type: "torch.OutOfMemoryError" })] } });
    expect(failed.state === "failed" && failed.error.code).toBe("COMFY_EXECUTION_ERROR");
    expect(failed.state === "failed" && failed.error.message).toMatch(/KSampler #3: CUDA OOM/);
    const interrupted = readOutcome("p", { outputs: {}, status: { status_str: "error", completed: false, messages: [msg("execution_interrupted", {})] } });
    expect(interrupted.state === "failed" && interrupted.error.code).toBe("COMFY_INTERRUPTED");
    const ok = readOutcome("p", {
      outputs: { "12": { images: [{ filename: "b.png", subfolder: "", type: "output" }] }, "9": { images: [{ filename: "a.png", subfolder: "s", type: "output" }, { filename: "t.png", subfolder: "", type: "temp" }] } },
      status: { status_str: "success", completed: true, messages: [] },
    });
    expect(ok.state === "success" && ok.images.map((i) => i.filename)).toEqual(["a.png", "b.png"]);
    expect(readOutcome("p", { outputs: {}, status: { status_str: "success", completed: true, messages: [] } }).state).toBe("failed");
  });

  it("summarises both shapes of a 400 from POST /prompt", () => {
    const modern = describePromptError({
      error: { type: "prompt_outputs_failed_validation", message: "Prompt outputs failed validation", details: "", extra_info: {} },
      node_errors: { "4": { errors: [{ type: "value_not_in_list", message: "Value not in list", details: "ckpt_name: 'x' not in [...]" }], class_type: "CheckpointLoaderSimple", dependent_outputs: ["9"] } },
    });
    expect(modern.message).toBe("Prompt outputs failed validation; node 4 (CheckpointLoaderSimple): Value not in list [ckpt_name: 'x' not in [...]]");
    expect(modern.details.type).toBe("prompt_outputs_failed_validation");
    expect(describePromptError({ error: "no prompt", node_errors: [] }).message).toBe("no prompt");
  });
});

describe("progress throttle", () => {
  it("writes at most once per interval, never backwards, and skips tiny changes", () => {
    const t = new ProgressThrottle(1000);
    expect(t.offer(0.1, 0)).toBe(0.1);
    expect(t.offer(0.5, 500)).toBeNull(); // inside the interval
    expect(t.offer(0.6, 1000)).toBe(0.6);
    expect(t.offer(0.3, 5000)).toBeNull(); // backwards
    expect(t.offer(0.605, 6000)).toBeNull(); // under minDelta
    expect(t.offer(2, 7000)).toBe(1); // clamped
    expect(t.offer(1, 9000)).toBeNull();
  });

  it("with a start time, writes nothing during the first interval", () => {
    const t = new ProgressThrottle(1000, 0.01, 5_000);
    expect(t.offer(0.05, 5_050)).toBeNull();
    expect(t.offer(0.9, 5_999)).toBeNull();
    expect(t.offer(0.5, 6_000)).toBe(0.5);
    expect(t.offer(0.7, 6_500)).toBeNull();
  });

  it("emits a monotonic subsequence of a noisy series", () => {
    const t = new ProgressThrottle(0);
    const written = [0.1, 0.3, 0.2, 0.5, 0.4, 0.9].map((v, i) => t.offer(v, i)).filter((v): v is number => v !== null);
    expect(written).toEqual([0.1, 0.3, 0.5, 0.9]);
  });
});
