// The scheduled half of expiry (the other half runs lazily inside every spend): users whose
// soonest expiry has passed get their `expire-{grantId}` entries. Both halves write the same
// deterministic ids in a commit that also rewrites the user document, so whichever lands second
// finds the grant already gone from the wallet and writes nothing.
import type { Firestore } from "firebase-admin/firestore";
import { dueUsers, type SweepScope } from "../../shared/dueUsers";
import { log } from "../../shared/log";
import { runMoneyTransaction } from "../../shared/transaction";
import { WalletSession } from "./session";
import { walletFields, walletOf } from "./wallet";
import { writeSession } from "./write";
import { userWallet } from "../walletRef";

export interface ExpirySummary {
  users: number;
  entries: number;
  credits: number;
}

export async function expireUser(db: Firestore, uid: string, now: Date): Promise<{ entries: number; credits: number }> {
  return runMoneyTransaction(db, async (tx) => {
    const user = await tx.get(db.doc(`users/${uid}`));
    const session = new WalletSession(walletOf(user.data()), now.getTime(), "system:expiry-sweep");
    if (!session.entries.length && !session.newGrants.size && session.counters.size === 0) {
      if (user.get("nextExpiryAt")) tx.set(user.ref, { nextExpiryAt: walletFields(session.wallet).nextExpiryAt }, { merge: true });
      return { entries: 0, credits: 0 };
    }
    writeSession(db, tx, userWallet(uid), session, now);
    tx.set(user.ref, { ...walletFields(session.wallet), updatedAt: now }, { merge: true });
    return { entries: session.entries.length, credits: -session.entries.reduce((s, e) => s + (e.data.amount as number), 0) };
  });
}

export async function sweepExpiredGrants(db: Firestore, now: Date, batchLimit: number, scope: SweepScope = {}): Promise<ExpirySummary> {
  const due = await dueUsers(db, "nextExpiryAt", now, batchLimit, scope);
  const summary: ExpirySummary = { users: 0, entries: 0, credits: 0 };
  for (const doc of due) {
    const r = await expireUser(db, doc.id, now);
    summary.users++;
    summary.entries += r.entries;
    summary.credits += r.credits;
  }
  log.info("expiry sweep", { ...summary });
  return summary;
}
