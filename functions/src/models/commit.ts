// The create's one transaction: reads the account, the model document an idempotency key may
// have made already, the uploads it takes and the user's slot-holding models; plans (plan.ts);
// then writes the model, the debit, the balance and the uploads' use together, or nothing.
// Every concurrent create of the account writes the user document, so two of them can never
// both see a free slot: one aborts and re-reads.
import type { DocumentSnapshot, Firestore, Transaction } from "firebase-admin/firestore";
import { ApiError } from "../http/errors";
import { walletFields, walletOf } from "../ledger/grants/wallet";
import { writeSession } from "../ledger/grants/write";
import { userWallet } from "../ledger/walletRef";
import type { WalletSession } from "../ledger/grants/session";
import { slotsFor } from "../billing/userPlan";
import { addUsage } from "../ledger/usage";
import { TRAINING_MODEL } from "../usage/counters";
import { runMoneyTransaction } from "../shared/transaction";
import { uploadRef } from "../uploads/store";
import { accountErased, isErasing } from "../lifecycle/erased";
import { planTrainingCommit, type StoredModel, type TrainingResult } from "./plan";
import { SLOT_STATUSES } from "./schema";

export interface PreparedModel {
  id: string;
  uid: string;
  cost: number;
  fingerprint: string;
  maxModels: number;
  uploadIds: string[];
  ledgerReason: string;
  actor: string;
  /** The document's fields fixed before the commit; the commit adds status, money and times. */
  fields: Record<string, unknown>;
}

export type CommitOutcome = TrainingResult & { created: boolean };

export async function commitCustomModel(db: Firestore, p: PreparedModel): Promise<CommitOutcome> {
  return runMoneyTransaction(db, async (tx) => {
    const ref = db.doc(`customModels/${p.id}`);
    const [user, existing, active, ...uploads] = await Promise.all([
      tx.get(db.doc(`users/${p.uid}`)),
      tx.get(ref),
      tx.get(db.collection("customModels").where("userId", "==", p.uid).where("status", "in", SLOT_STATUSES).select("status")),
      ...p.uploadIds.map((id) => tx.get(uploadRef(db, id))),
    ]);
    // Caller resolution refused the account if its erasure had started then; this catches one
    // that started while the photos were decoded (the erasure's steps may all have run since).
    if (isErasing(user)) throw accountErased();
    const decision = planTrainingCommit({
      id: p.id, uid: p.uid, fingerprint: p.fingerprint, cost: p.cost, maxModels: slotsFor(user.data(), p.maxModels),
      wallet: walletOf(user.data()), nowMs: Date.now(), debitFields: { reason: p.ledgerReason, actor: p.actor },
      activeModels: active.size,
      existing: existing.exists ? (existing.data() as StoredModel) : null,
    });
    if (decision.kind === "refuse") throw decision.error;
    if (decision.kind === "replay") return { customModelId: p.id, ...decision.result, created: false };
    assertUploadsFree(uploads, p.id);
    write(db, tx, p, user, uploads, decision.session);
    return { customModelId: p.id, status: "queued", deductedCredits: p.cost, currentCredits: decision.session.credits, replayed: false, created: true };
  });
}

/** Checked at decode time too; here again because another create may have taken one since. */
function assertUploadsFree(uploads: DocumentSnapshot[], id: string): void {
  const taken = uploads.filter((u) => u.get("status") === "used" && u.get("usedBy") !== id);
  if (taken.length) {
    throw new ApiError("FAILED_PRECONDITION", `uploads already used by another custom model: ${taken.map((u) => u.id).join(", ")}`, { uploadIds: taken.map((u) => u.id) });
  }
}

function write(db: Firestore, tx: Transaction, p: PreparedModel, user: DocumentSnapshot, uploads: DocumentSnapshot[], session: WalletSession): void {
  const now = new Date();
  const balanceAfter = session.credits;
  tx.create(db.doc(`customModels/${p.id}`), {
    ...p.fields,
    status: "queued",
    cost: p.cost,
    refunded: false,
    balanceAfterDebit: balanceAfter,
    paramsHash: p.fingerprint,
    dispatch: { state: "pending", attempts: 0, updatedAt: now },
    createdAt: now,
    updatedAt: now,
  });
  // The debit entry (with its draws), any lazy expiry, the grant counters, then the wallet.
  writeSession(db, tx, userWallet(p.uid), session, now);
  tx.set(user.ref, { ...walletFields(session.wallet), updatedAt: now }, { merge: true });
  addUsage(db, tx, userWallet(p.uid), now, { modelId: TRAINING_MODEL, keyId: (p.fields.keyId as string | null | undefined) ?? null, creditsDebited: p.cost }, now);
  for (const u of uploads) tx.update(u.ref, { status: "used", usedBy: p.id, usedAt: now });
}
