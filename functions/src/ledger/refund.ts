// The one refund path. Whoever ends a paid job (a generation request or a training run) as
// failed or cancelled (runner, sweeper, user, admin), the refund happens here, in one
// transaction, at most once: the entry id is `refund-{jobId}` and the job's `refunded` flag is
// set in the same commit.
import type { DocumentSnapshot, Firestore, Transaction } from "firebase-admin/firestore";
import { planRefund, type RefundDecision } from "./refundPlan";
import { debitEntryId, refundEntryId } from "./types";
import { addUsage } from "./usage";
import { usageDimsOf } from "../usage/dims";
import { readChargeRefund, writeChargeRefund, type ChargeReads, type RefundWritten } from "./grants/charge";
import { runMoneyTransaction } from "../shared/transaction";
import { GENERATE, type JobKind } from "../dispatch/jobKinds";
import { walletOfJob } from "./walletRef";
import { readBudgetRefund, writeBudgetRefund, type BudgetReads } from "../orgs/budgetRefund";

export interface RefundReads extends ChargeReads {
  request: DocumentSnapshot;
  budgets: BudgetReads;
}

/** All reads the refund needs; call before any write in the transaction. */
export async function readForRefund(db: Firestore, tx: Transaction, request: DocumentSnapshot): Promise<RefundReads> {
  const reads = await readChargeRefund(db, tx, { wallet: walletOfJob(request), debitEntryId: debitEntryId(request.id), refundEntryId: refundEntryId(request.id) });
  return { ...reads, request, budgets: await readBudgetRefund(db, tx, request) };
}

export type WrittenDecision = RefundDecision | ({ action: "refund"; amount: number } & RefundWritten);

/**
 * Writes the refund for a request whose status (after this transaction's own update, passed as
 * `statusAfter`) is failed or cancelled. Returns what it decided.
 */
export function writeRefund(
  db: Firestore,
  tx: Transaction,
  reads: RefundReads,
  opts: { statusAfter: string; actor: string; reason: string; now: Date },
): WrittenDecision {
  const { request, refundEntry } = reads;
  const cost = (request.get("cost") as number) ?? 0;
  const decision = planRefund({
    status: opts.statusAfter,
    cost,
    refunded: request.get("refunded") === true,
    refundEntryExists: refundEntry.exists,
  });
  if (decision.action === "skip") return decision;
  const requestRef = request.ref;
  if (decision.action === "mark-only") {
    tx.update(requestRef, { refunded: true, updatedAt: opts.now });
    return decision;
  }
  const written = writeChargeRefund(db, tx, reads, { cost, now: opts.now, fields: { requestId: request.id, reason: opts.reason, actor: opts.actor } });
  tx.update(requestRef, { refunded: true, refundedAt: opts.now, updatedAt: opts.now });
  writeBudgetRefund(tx, reads.budgets, opts.now);
  addUsage(db, tx, reads.ref.wallet, request.get("createdAt").toDate(), { ...usageDimsOf(request), creditsRefunded: written.credited }, opts.now);
  return { ...decision, ...written };
}

/** Refunds a job already in a terminal failed/cancelled state (trigger, sweeper, repair). */
export async function refundIfOwed(db: Firestore, requestId: string, actor: string, kind: JobKind = GENERATE): Promise<WrittenDecision | { action: "skip"; why: "missing" }> {
  return runMoneyTransaction(db, async (tx) => {
    const request = await tx.get(db.doc(`${kind.collection}/${requestId}`));
    if (!request.exists) return { action: "skip", why: "missing" } as const;
    const reads = await readForRefund(db, tx, request);
    const status = request.get("status") as string;
    const code = request.get("error.code") as string | undefined;
    return writeRefund(db, tx, reads, {
      statusAfter: status,
      actor,
      reason: kind.refundReason(status, code),
      now: new Date(),
    });
  });
}

export interface JobEnding {
  status: "failed" | "cancelled";
  error: { code: string; message: string };
}

/**
 * Ends a job and refunds it in one transaction, when `decide` (shown the job as this transaction
 * read it) says how; returns whether it did. Sweeper, erasure and model deletion all end jobs so.
 * `at` (the sweep's own `now` when it is given one) stamps the ending; the wall clock otherwise.
 */
export async function endJobAndRefund(db: Firestore, kind: JobKind, id: string, actor: string, decide: (job: DocumentSnapshot) => JobEnding | null, at?: Date): Promise<boolean> {
  return runMoneyTransaction(db, async (tx) => {
    const job = await tx.get(db.doc(`${kind.collection}/${id}`));
    const ending = job.exists ? decide(job) : null;
    if (!ending) return false;
    const reads = await readForRefund(db, tx, job);
    const now = at ?? new Date();
    tx.update(job.ref, { status: ending.status, error: ending.error, lease: null, finishedAt: now, updatedAt: now });
    writeRefund(db, tx, reads, { statusAfter: ending.status, actor, reason: kind.refundReason(ending.status, ending.error.code), now });
    return true;
  });
}
