// What the create transaction decides, from what it read: pure, so the money rules are
// unit-tested without Firestore. Order matters: a replay answers first (it is not a new model),
// then the slot limit, then funds.
import { ApiError } from "../http/errors";
import { insufficientCredits } from "../requests/commitPlan";

export interface StoredModel {
  userId: string;
  paramsHash: string;
  cost: number;
  balanceAfterDebit: number;
  status: string;
}

export interface TrainingCommitFacts {
  uid: string;
  fingerprint: string;
  cost: number;
  balance: number;
  /** Models of the user holding a slot (queued, training, ready). */
  activeModels: number;
  maxModels: number;
  existing: StoredModel | null;
}

export interface TrainingResult {
  customModelId: string;
  status: string;
  deductedCredits: number;
  currentCredits: number;
  replayed: boolean;
}

export type TrainingDecision =
  | { kind: "create"; balanceAfter: number }
  | { kind: "replay"; result: Omit<TrainingResult, "customModelId"> }
  | { kind: "refuse"; error: ApiError };

export function planTrainingCommit(f: TrainingCommitFacts): TrainingDecision {
  if (f.existing) {
    if (f.existing.userId !== f.uid || f.existing.paramsHash !== f.fingerprint) {
      return { kind: "refuse", error: new ApiError("FAILED_PRECONDITION", "idempotencyKey was already used with different parameters") };
    }
    return { kind: "replay", result: { status: f.existing.status, deductedCredits: f.existing.cost, currentCredits: f.existing.balanceAfterDebit, replayed: true } };
  }
  if (f.activeModels >= f.maxModels) {
    return {
      kind: "refuse",
      error: new ApiError("FAILED_PRECONDITION", `custom model limit reached: at most ${f.maxModels} models (queued, training or ready) per user (MAX_CUSTOM_MODELS_PER_USER); delete one first`, { limit: f.maxModels, active: f.activeModels }),
    };
  }
  if (f.balance < f.cost) return { kind: "refuse", error: insufficientCredits(f.cost, f.balance) };
  return { kind: "create", balanceAfter: f.balance - f.cost };
}
