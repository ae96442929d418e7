// The one debit writer: every paid create (a generation request in its group commit, a training
// run in its transaction) writes its charge here, so a change to how debits are recorded (grants,
// issue 16) touches one function. The entry id is `debit-{id}` and the write is a create(), so a
// retried commit can never charge twice.
import type { DocumentReference, Firestore } from "firebase-admin/firestore";
import { debitEntryId } from "./types";

/** A transaction or a write batch: both create documents inside the caller's one commit. */
export interface CreateWriter {
  create(ref: DocumentReference, data: Record<string, unknown>): unknown;
}

export interface Debit {
  uid: string;
  /** The charged job's id: a generation request's or a custom model's. */
  jobId: string;
  cost: number;
  balanceAfter: number;
  reason: string;
  actor: string;
  now: Date;
}

export function writeDebit(db: Firestore, writer: CreateWriter, d: Debit): void {
  writer.create(db.doc(`users/${d.uid}/ledger/${debitEntryId(d.jobId)}`), {
    type: "debit", amount: -d.cost, balanceAfter: d.balanceAfter, requestId: d.jobId, reason: d.reason, actor: d.actor, createdAt: d.now,
  });
}
