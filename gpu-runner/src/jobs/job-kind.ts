// The two kinds of job a runner takes, behind one claim/lease/complete path: each names its
// Firestore collection and the statuses the shared lease rules read.

export type JobKindName = "generate" | "train";

export interface JobKind {
  name: JobKindName;
  collection: string;
  /** Status while a runner holds the job. */
  running: string;
  /** Statuses no runner ever moves a job out of. */
  terminal: readonly string[];
}

export const GENERATE: JobKind = { name: "generate", collection: "generationRequests", running: "running", terminal: ["succeeded", "failed", "cancelled"] };
export const TRAIN: JobKind = { name: "train", collection: "customModels", running: "training", terminal: ["ready", "failed", "cancelled", "deleted"] };

export const JOB_KINDS: Record<JobKindName, JobKind> = { generate: GENERATE, train: TRAIN };
