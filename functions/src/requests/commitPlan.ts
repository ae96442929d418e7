// What one group commit does with the creates waiting for an account: pure, so the money rules
// are unit-tested without Firestore. Items are checked one at a time in arrival order against a
// running balance and running counters, so a commit of n items answers exactly what n creates run
// one after another would have answered: a replay returns the first answer, a key that may no
// longer be used, a full rate window, a used-up quota or a short balance refuses that item only,
// and every later item sees the balance the earlier ones left.
import { ApiError } from "../http/errors";
import { admitPrincipal, type PrincipalLimits, type PrincipalUsage } from "./rateLimit";
import { debitEntryId } from "../ledger/types";
import { refusalOf } from "../ledger/grants/refusal";
import { WalletSession } from "../ledger/grants/session";
import { walletOf, type Wallet } from "../ledger/grants/wallet";
import { crossed, fits, type BudgetState } from "../orgs/budget";

export interface CreateResult {
  generationRequestId: string;
  deductedCredits: number;
  currentCredits: number;
  status: string;
  replayed: boolean;
}

export interface PlanItem {
  requestId: string;
  userId: string;
  cost: number;
  numImages: number;
  /** paramsHash of what was asked for: a reused idempotency key with other parameters is refused. */
  fingerprint: string;
  /** Whose limits count this create: `user`, or `key:{keyId}`. */
  principal: string;
  /** Written on the debit entry. */
  ledgerReason?: string;
  actor?: string;
  /** Budgets this create counts against (an organisation member's `member:{uid}`, a key's `key:{keyId}`). */
  budgets?: readonly string[];
}

/** The fields of a stored request that a replay answers from. */
export interface StoredRequest {
  userId: string;
  paramsHash: string;
  cost: number;
  balanceAfterDebit: number;
  status: string;
}

export interface PrincipalState {
  usage: PrincipalUsage;
  limits: PrincipalLimits;
  /** Why this principal may not create at all (a revoked or expired key), or null. */
  refusal: ApiError | null;
}

export interface PlanInput {
  nowMs: number;
  /** The balance of a user without a stored wallet (tests); `wallet` wins when given. */
  balance: number;
  wallet?: Wallet;
  principals: ReadonlyMap<string, PrincipalState>;
  /** Request documents that already exist, by id. */
  stored: ReadonlyMap<string, StoredRequest>;
  items: readonly PlanItem[];
  /** The budgets named by the items, as read (an id without a state has no budget). */
  budgets?: ReadonlyMap<string, BudgetState>;
}

/** What a created item counted against a budget: a refund gives `amount` back within period `key`. */
export interface BudgetCharge {
  budget: string;
  key: string;
  amount: number;
}

export type Outcome =
  | { kind: "created"; result: CreateResult }
  | { kind: "replayed"; result: CreateResult }
  | { kind: "refused"; error: ApiError };

export interface Plan {
  outcomes: Outcome[];
  /** The balance after every created item. */
  balance: number;
  /** The debits (with their draws), lazy expiries and the wallet after them, to write. */
  session: WalletSession;
  /** New counters of the principals that admitted at least one item (only these are written). */
  usage: Map<string, PrincipalUsage>;
  totals: { requests: number; images: number; credits: number };
  /** Budgets spent by this commit: their new state (only these are written). */
  budgets: Map<string, BudgetState>;
  /** Per created request, the budgets it counted against. */
  budgetCharges: Map<string, BudgetCharge[]>;
  /** Alert thresholds (percent) first crossed by this commit, per budget. */
  crossings: Map<string, number[]>;
}

export const USER_PRINCIPAL = "user";
export const keyPrincipal = (keyId: string) => `key:${keyId}`;
/** A member creating for an organisation (their rate window is on their user document). */
export const memberPrincipal = (uid: string) => `member:${uid}`;

export function insufficientCredits(cost: number, balance: number): ApiError {
  return new ApiError("INSUFFICIENT_CREDITS", `this request costs ${cost} credits; the balance is ${balance}`, { required: cost, available: balance });
}

export function planCommit(input: PlanInput): Plan {
  const session = new WalletSession(input.wallet ?? walletOf({ credits: input.balance }), input.nowMs);
  const plan: Plan = { outcomes: [], balance: session.credits, session, usage: new Map(), totals: { requests: 0, images: 0, credits: 0 }, budgets: new Map(), budgetCharges: new Map(), crossings: new Map() };
  // Items created earlier in this commit count as stored: a second item with the same
  // idempotency key is a replay of the first, never a second charge.
  const stored = new Map(input.stored);
  for (const item of input.items) {
    const prior = stored.get(item.requestId);
    const outcome = prior ? replayOf(item, prior) : admit(item, input, plan);
    if (outcome.kind === "created") stored.set(item.requestId, storedFrom(item, outcome.result));
    plan.outcomes.push(outcome);
  }
  return plan;
}

function admit(item: PlanItem, input: PlanInput, plan: Plan): Outcome {
  const principal = input.principals.get(item.principal);
  if (!principal) throw new Error(`no state read for principal ${item.principal}`);
  if (principal.refusal) return { kind: "refused", error: principal.refusal };
  let next: PrincipalUsage;
  try {
    next = admitPrincipal(plan.usage.get(item.principal) ?? principal.usage, principal.limits, input.nowMs);
  } catch (err) {
    if (err instanceof ApiError) return { kind: "refused", error: err };
    throw err;
  }
  const budgets = budgetsOf(item, input, plan);
  const over = budgets.find((b) => !fits(b.state, item.cost));
  if (over) return { kind: "refused", error: budgetExceeded(over.state) };
  // A refusal for funds leaves the counters as they were: it writes nothing.
  const debit = plan.session.debit(debitEntryId(item.requestId), item.cost, { requestId: item.requestId, reason: item.ledgerReason ?? "generation", actor: item.actor ?? `user:${item.userId}` });
  if (!debit.ok) return { kind: "refused", error: refusalOf(debit, item.cost) };
  plan.balance = plan.session.credits;
  plan.usage.set(item.principal, next);
  spendBudgets(plan, item, budgets);
  plan.totals.requests += 1;
  plan.totals.images += item.numImages;
  plan.totals.credits += item.cost;
  return {
    kind: "created",
    result: { generationRequestId: item.requestId, deductedCredits: item.cost, currentCredits: plan.balance, status: "queued", replayed: false },
  };
}

/** The item's budgets as this commit has left them so far (those with no budget set are skipped). */
function budgetsOf(item: PlanItem, input: PlanInput, plan: Plan): { id: string; state: BudgetState }[] {
  return (item.budgets ?? []).flatMap((id) => {
    const state = plan.budgets.get(id) ?? input.budgets?.get(id);
    return state ? [{ id, state }] : [];
  });
}

function spendBudgets(plan: Plan, item: PlanItem, budgets: { id: string; state: BudgetState }[]): void {
  for (const { id, state } of budgets) {
    const hit = crossed(state, item.cost);
    if (hit.length) plan.crossings.set(id, [...(plan.crossings.get(id) ?? []), ...hit]);
    plan.budgets.set(id, { ...state, used: state.used + item.cost });
  }
  if (budgets.length) plan.budgetCharges.set(item.requestId, budgets.map((b) => ({ budget: b.id, key: b.state.key, amount: item.cost })));
}

export function budgetExceeded(s: BudgetState): ApiError {
  return new ApiError("BUDGET_EXCEEDED", `this create would take the ${s.budget.period === "day" ? "daily" : "monthly"} budget of ${s.budget.credits} credits past its limit (${s.used} used)`, {
    limit: s.budget.credits, used: s.used, period: s.budget.period, resetsAt: new Date(s.resetsAtMs).toISOString(),
  });
}

function replayOf(item: PlanItem, prior: StoredRequest): Outcome {
  if (prior.userId !== item.userId || prior.paramsHash !== item.fingerprint) {
    return { kind: "refused", error: new ApiError("FAILED_PRECONDITION", "idempotencyKey was already used with different parameters", { generationRequestId: item.requestId }) };
  }
  return {
    kind: "replayed",
    result: { generationRequestId: item.requestId, deductedCredits: prior.cost, currentCredits: prior.balanceAfterDebit, status: prior.status, replayed: true },
  };
}

const storedFrom = (item: PlanItem, result: CreateResult): StoredRequest => ({
  userId: item.userId, paramsHash: item.fingerprint, cost: item.cost, balanceAfterDebit: result.currentCredits, status: result.status,
});
