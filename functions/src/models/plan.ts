// What the create transaction decides, from what it read: pure, so the money rules are
// unit-tested without Firestore. Order matters: a replay answers first (it is not a new model),
// then the slot limit, then funds. Funds are the wallet's: the debit draws from the user's grants
// exactly as a generation's does (ledger/grants), and the session holds what to write.
import { ApiError } from "../http/errors";
import { refusalOf } from "../ledger/grants/refusal";
import { WalletSession } from "../ledger/grants/session";
import type { Wallet } from "../ledger/grants/wallet";
import { debitEntryId } from "../ledger/types";

export interface StoredModel {
  userId: string;
  paramsHash: string;
  cost: number;
  balanceAfterDebit: number;
  status: string;
}

export interface TrainingCommitFacts {
  id: string;
  uid: string;
  fingerprint: string;
  cost: number;
  wallet: Wallet;
  nowMs: number;
  /** Written on the debit entry (reason, actor). */
  debitFields: Record<string, unknown>;
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
  | { kind: "create"; session: WalletSession }
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
      error: new ApiError("FAILED_PRECONDITION", `custom model limit reached: at most ${f.maxModels} models (queued, training or ready) for this account (its plan's model slots; MAX_CUSTOM_MODELS_PER_USER without a plan); delete one first`, { limit: f.maxModels, active: f.activeModels }),
    };
  }
  const session = new WalletSession(f.wallet, f.nowMs);
  const debit = session.debit(debitEntryId(f.id), f.cost, { requestId: f.id, ...f.debitFields });
  if (!debit.ok) return { kind: "refuse", error: refusalOf(debit, f.cost) };
  return { kind: "create", session };
}
