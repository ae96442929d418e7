// The two paid job kinds share dispatch, the sweeper and the one refund path; this is all that
// differs between them: where the job lives, what "running" is called, and where its task goes.
export interface JobKind {
  name: "generate" | "train";
  collection: "generationRequests" | "customModels";
  /** What a client calls one (error messages). */
  noun: string;
  /** The status a runner's claim sets. */
  runningStatus: "running" | "training";
  /** The runner's task route and JSON body (the custom-model contract (docs/custom-models.md): `/tasks/train` takes `{customModelId}`). */
  task(id: string): { path: string; body: Record<string, unknown> };
  /** The ledger reason of the refund for a job that ended `status` (with `code`). */
  refundReason(status: string, code: string | undefined): string;
  /** Webhook event type prefix (`generation.succeeded`, `customModel.ready`). */
  eventPrefix: string;
}

const ended = (what: string) => (status: string, code: string | undefined) =>
  status === "cancelled" ? `${what} cancelled` : `${what} failed${code ? ` (${code})` : ""}`;

export const GENERATE: JobKind = {
  name: "generate",
  collection: "generationRequests",
  noun: "generation request",
  runningStatus: "running",
  task: (requestId) => ({ path: "/tasks/generate", body: { requestId } }),
  refundReason: (status, code) => (status === "cancelled" ? "request cancelled" : `generation failed${code ? ` (${code})` : ""}`),
  eventPrefix: "generation",
};

export const TRAIN: JobKind = {
  name: "train",
  collection: "customModels",
  noun: "custom model",
  runningStatus: "training",
  task: (customModelId) => ({ path: "/tasks/train", body: { customModelId } }),
  refundReason: ended("training"),
  eventPrefix: "customModel",
};

export const JOB_KINDS = [GENERATE, TRAIN] as const;
