// Admin credit movements: a positive amount is a grant, a negative one an adjustment. With an
// idempotency key the entry id is deterministic, so a retried grant lands once.
import { createHash, randomUUID } from "node:crypto";
import type { Firestore } from "firebase-admin/firestore";
import { ApiError } from "../http/errors";
import { recordAudit, type AuditActor } from "../audit/audit";
import { assertNotErased } from "../lifecycle/erased";
import { runMoneyTransaction } from "../shared/transaction";
import { WalletSession } from "./grants/session";
import { walletFields, walletOf } from "./grants/wallet";
import { writeSession } from "./grants/write";
import { ledgerEntryPath, orgWallet, userWallet, walletPath } from "./walletRef";

export interface GrantInput {
  userId: string;
  /** Grant to this organisation's wallet instead of the user's (userId then names the organisation). */
  orgId?: string;
  amount: number;
  reason: string;
  idempotencyKey?: string;
  /** `admin` unless told; a `promo` is the same money with another label in the reports. */
  source?: "admin" | "promo";
  expiresAt?: Date;
  actor: string;
  /** Who to name in the audit log; grants and adjustments are audited in the same transaction. */
  auditActor: AuditActor;
}

export interface GrantResult {
  userId: string;
  entryId: string;
  amount: number;
  currentCredits: number;
  replayed: boolean;
}

export function grantEntryId(userId: string, key?: string): string {
  return key ? `grant-${createHash("sha256").update(`${userId}\u0000${key}`).digest("hex").slice(0, 32)}` : `grant-${randomUUID()}`;
}

/** `clock` is the wall clock except where past history is seeded through this path. */
export async function grantCredits(db: Firestore, input: GrantInput, userExists: (uid: string) => Promise<boolean>, clock = () => new Date()): Promise<GrantResult> {
  const wallet = input.orgId ? orgWallet(input.orgId) : userWallet(input.userId);
  const entryId = grantEntryId(wallet.kind === "org" ? `org:${wallet.id}` : wallet.id, input.idempotencyKey);
  return runMoneyTransaction(db, async (tx) => {
    const userRef = db.doc(walletPath(wallet));
    const entryRef = db.doc(ledgerEntryPath(wallet, entryId));
    const [user, entry] = await Promise.all([tx.get(userRef), tx.get(entryRef)]);
    const balance = (user.get("credits") as number | undefined) ?? 0;
    if (entry.exists) {
      if (entry.get("amount") !== input.amount) throw new ApiError("FAILED_PRECONDITION", "idempotencyKey was already used with a different amount");
      return { userId: input.userId, entryId, amount: input.amount, currentCredits: balance, replayed: true };
    }
    if (!user.exists && (wallet.kind === "org" || !(await userExists(input.userId)))) throw new ApiError("NOT_FOUND", `${wallet.kind === "org" ? "organisation" : "user"} '${wallet.id}' not found`);
    assertNotErased(user, "grant");
    const now = clock();
    const session = new WalletSession(walletOf(user.data()), now.getTime(), input.actor);
    const fields = { reason: input.reason, actor: input.actor };
    if (input.amount > 0) {
      session.grant({ id: entryId, source: input.source ?? "admin", amount: input.amount, expiresAtMs: input.expiresAt?.getTime() ?? null, origin: { admin: input.actor } }, fields);
    } else if (!session.debit(entryId, -input.amount, { ...fields, type: "adjustment" }, { allowDebt: false }).ok) {
      throw new ApiError("FAILED_PRECONDITION", `an adjustment of ${input.amount} would make the balance negative (${session.credits})`, { available: session.credits });
    }
    const balanceAfter = session.credits;
    writeSession(db, tx, wallet, session, now);
    tx.set(userRef, { ...walletFields(session.wallet), updatedAt: now, ...(user.exists ? {} : { createdAt: now, role: "user" }) }, { merge: true });
    recordAudit(db, tx, {
      action: "credits.grant", actor: input.auditActor, target: { userId: input.userId, ...(input.orgId ? { orgId: input.orgId } : {}) },
      before: { credits: balance }, after: { credits: balanceAfter, entryId }, reason: input.reason,
    }, now);
    return { userId: input.userId, entryId, amount: input.amount, currentCredits: balanceAfter, replayed: false };
  });
}
