// A clawback (a refunded or disputed payment) recalls the wallet's open holds first, in its own
// transaction: their unspent credits go back to their grants, so the clawback takes from the
// grants as if no hold existed, and the holds' owners find them closed at their next spend (the
// guarded write fails, the commit re-reads and takes the direct path or a new hold).
import type { DocumentSnapshot, Firestore, Transaction } from "firebase-admin/firestore";
import type { GrantInfo } from "../grants/allocate";
import type { WalletSession } from "../grants/session";
import type { WalletRef } from "../walletRef";
import { grantInfoFor, holdsPath, writeRelease } from "./store";

export interface Recall { holds: DocumentSnapshot[]; info: Map<string, GrantInfo> }

/** Reads (before any write of `tx`) the open holds and the facts of the grants they drew from. */
export async function readRecall(db: Firestore, tx: Transaction, wallet: WalletRef, walletData: Record<string, unknown> | undefined): Promise<Recall> {
  const open = await tx.get(db.collection(holdsPath(wallet)).where("state", "==", "open"));
  return { holds: open.docs, info: await grantInfoFor(db, tx, wallet, walletData, open.docs) };
}

/** Releases every recalled hold into `session` (its wallet the caller writes); returns the credits returned. */
export function writeRecall(tx: Transaction, session: WalletSession, recall: Recall, opts: { actor: string; reason: string; now: Date }): number {
  return recall.holds.reduce((sum, h) => sum + writeRelease(tx, session, h, recall.info, opts).returned, 0);
}
