// createGenerationRequests: up to 50 creates in one call and, per account, one commit. Each item
// is validated, priced and answered on its own, in order: a refused item (bad input, a short
// balance, a key reused with other parameters) never fails the others. Each item happens once:
// its own idempotencyKey, or else the batch's `idempotencyKey` + ":" + its index, makes a retried
// call replay instead of charging again. The call answers 200 whenever the envelope is valid;
// each result carries the status the single endpoint would have answered for that item.
import type { Firestore } from "firebase-admin/firestore";
import { ApiError } from "../http/errors";
import { parseInput } from "../http/validate";
import type { Caller } from "../auth/caller";
import type { DispatcherSource } from "../dispatch/dispatch";
import type { Outcome } from "./commitPlan";
import type { PreparedCreate } from "./optimisticCommit";
import { afterCommit, committerFor, prepareCreate, withCreateSlot } from "./create";
import { walletPath } from "../ledger/walletRef";
import { createBatchSchema } from "./schema";

export interface BatchItemResult {
  index: number;
  /** 201 created, 200 replayed, else the error's status. */
  status: number;
  generationRequestId?: string;
  deductedCredits?: number;
  currentCredits?: number;
  /** The request's status (`queued` when created; a replay's current one). */
  requestStatus?: string;
  replayed?: boolean;
  error?: { code: string; message: string; details?: unknown };
}

export interface BatchResult {
  results: BatchItemResult[];
  summary: { created: number; replayed: number; refused: number };
}

type Prepared = { index: number; item: PreparedCreate; error?: undefined } | { index: number; error: ApiError };

export async function createGenerationRequests(db: Firestore, caller: Caller, rawBody: unknown, deps: { dispatcher?: DispatcherSource } = {}): Promise<BatchResult> {
  const input = parseInput(createBatchSchema, rawBody);
  return withCreateSlot(caller, async () => {
    const prepared: Prepared[] = [];
    // One item at a time: items with images share the instance's decode bound with other calls.
    for (const [index, raw] of input.requests.entries()) {
      prepared.push(await prepareItem(db, caller, withBatchKey(raw, input.idempotencyKey, index), index));
    }
    const outcomes = await commitByAccount(db, prepared);
    await Promise.all(prepared.map((p) => (!p.error && outcomes.get(p.index)?.kind === "created" ? afterCommit(db, p.item, deps.dispatcher) : undefined)));
    const results = prepared.map((p) => (p.error ? refusal(p.index, p.error) : resultOf(p.index, outcomes.get(p.index)!)));
    const count = (test: (r: BatchItemResult) => boolean) => results.filter(test).length;
    return { results, summary: { created: count((r) => r.status === 201), replayed: count((r) => r.status === 200), refused: count((r) => !!r.error) } };
  });
}

async function prepareItem(db: Firestore, caller: Caller, raw: unknown, index: number): Promise<Prepared> {
  try {
    return { index, item: await prepareCreate(db, caller, raw) };
  } catch (err) {
    if (err instanceof ApiError) return { index, error: err };
    throw err;
  }
}

function withBatchKey(raw: unknown, batchKey: string | undefined, index: number): unknown {
  if (!batchKey || typeof raw !== "object" || raw === null || Array.isArray(raw) || "idempotencyKey" in raw) return raw;
  return { ...raw, idempotencyKey: `${batchKey}:${index}` };
}

/** One submission per wallet (an admin may name several users; items may name organisations), all committed concurrently. */
async function commitByAccount(db: Firestore, prepared: Prepared[]): Promise<Map<number, Outcome>> {
  const byUser = new Map<string, { index: number; item: PreparedCreate }[]>();
  for (const p of prepared) {
    if (p.error) continue;
    const account = walletPath(p.item.wallet);
    byUser.set(account, [...(byUser.get(account) ?? []), p]);
  }
  const outcomes = new Map<number, Outcome>();
  await Promise.all([...byUser].map(async ([uid, group]) => {
    let answers: Outcome[];
    try {
      answers = await committerFor(db).submit(uid, group.map((g) => g.item));
    } catch (err) {
      // A commit that could not go through (contention past its bound): every item in it says so.
      if (!(err instanceof ApiError)) throw err;
      answers = group.map(() => ({ kind: "refused", error: err }));
    }
    group.forEach((g, i) => outcomes.set(g.index, answers[i]));
  }));
  return outcomes;
}

function resultOf(index: number, outcome: Outcome): BatchItemResult {
  if (outcome.kind === "refused") return refusal(index, outcome.error);
  const { generationRequestId, deductedCredits, currentCredits, status, replayed } = outcome.result;
  return { index, status: replayed ? 200 : 201, generationRequestId, deductedCredits, currentCredits, requestStatus: status, replayed };
}

const refusal = (index: number, error: ApiError): BatchItemResult => ({ index, status: error.status, error: error.toBody().error });
