// Transactions that move credits. The Admin SDK retries an aborted transaction with a backoff of
// 1 s × 1.5ⁿ (±50 %) and refuses an 11th retry with a plain, code-less error; so the bound here is
// one the SDK honours and whose worst case (about 32 s of backoff) fits an HTTPS function's 60 s.
// Running out of attempts is contention, not a bug: the client gets 503 UNAVAILABLE with
// Retry-After, and since nothing was written a retry is safe (with an idempotency key, exact).
import type { Firestore, Transaction } from "firebase-admin/firestore";
import { ApiError } from "../http/errors";

export const MONEY_TX_ATTEMPTS = 8;

const RETRYABLE_GRPC = new Set([1, 2, 4, 8, 10, 13, 14]);

/** Whether an error out of runTransaction means "gave up retrying", as opposed to a real failure. */
export function isContention(err: unknown): boolean {
  if (err instanceof ApiError) return false;
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === "number" && RETRYABLE_GRPC.has(e.code)) return true;
  return typeof e?.message === "string" && /Exceeded maximum number of retries/.test(e.message);
}

/**
 * A transaction the server closed under us (held past its deadline while waiting for locks, as
 * the emulator does on a loaded machine). The SDK retries only one spelling of it; an
 * INVALID_ARGUMENT answer means nothing was committed, so running it again is safe.
 */
export function isClosedTransaction(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === 3 && typeof e.message === "string" && /transaction (is invalid or closed|has expired)/i.test(e.message);
}

const CLOSED_RERUNS = 2;

export async function runMoneyTransaction<T>(db: Firestore, fn: (tx: Transaction) => Promise<T>, opts: { maxAttempts?: number } = {}): Promise<T> {
  for (let run = 0; ; run++) {
    try {
      return await db.runTransaction(fn, { maxAttempts: opts.maxAttempts ?? MONEY_TX_ATTEMPTS });
    } catch (err) {
      if (isClosedTransaction(err) && run < CLOSED_RERUNS) continue;
      throw asRetryable(err);
    }
  }
}

function asRetryable(err: unknown): unknown {
  if (!isContention(err) && !isClosedTransaction(err)) return err;
  return accountBusy();
}

/** Contention past a retry bound (a transaction's, or the create commit's): 503 with Retry-After; nothing was written. */
export function accountBusy(): ApiError {
  return new ApiError("UNAVAILABLE", "this account is busy with other requests; retry shortly (with the same idempotencyKey, it is charged once)", { retryAfterSeconds: 2 });
}
