// Whether a principal (an API key, or else the user) may make one more paid create, checked
// twice when the create carries an image: cheaply before the decode, and exactly in the create's
// commit (commitPlan.ts). A create refused before its decode for lack of funds counts against the
// per-minute window, so a client feeding images to an empty account is rate limited like any
// other. (A refusal in the commit writes nothing: counting it there would add a write to the
// account's hot document on every refusal.)
import type { DocumentSnapshot, Firestore } from "firebase-admin/firestore";
import { API_KEYS, assertKeyUsable } from "../auth/apiKeyStore";
import type { Caller } from "../auth/caller";
import { admitCreate, rateLimited, type PrincipalLimits } from "./rateLimit";
import { runMoneyTransaction } from "../shared/transaction";
import { planDebit, planExpiry } from "../ledger/grants/allocate";
import { refusalOf } from "../ledger/grants/refusal";
import { walletOf } from "../ledger/grants/wallet";
import { userWallet, walletPath, type WalletRef } from "../ledger/walletRef";

/** A key's own limits (from the snapshot read), else the per-user default. */
export function limitsOf(key: DocumentSnapshot | null, defaultPerMinute: number): PrincipalLimits {
  return { perMinute: key?.get("ratePerMinute") ?? defaultPerMinute, dailyQuota: key?.get("dailyQuota") ?? null, countDaily: !!key };
}

/** The plan's rate limit (issue 16) for the user and for keys without their own; on the user document the commit already reads. */
export const planRate = (user: DocumentSnapshot): number | undefined => user.get("ratePerMinute") ?? undefined;

const principalRef = (db: Firestore, caller: Caller, uid: string) =>
  caller.key ? db.doc(`${API_KEYS}/${caller.key.keyId}`) : db.doc(`users/${uid}`);

/**
 * Plain reads, no transaction: refuses a create that cannot succeed before its image is decoded
 * or stored. A refusal for funds is counted (one small transaction); a rate-limited one is not
 * (its window is already full). The create's commit re-checks everything exactly.
 */
export async function precheckCreate(db: Firestore, caller: Caller, uid: string, cost: number, defaultPerMinute: number, now: Date, wallet: WalletRef = userWallet(uid)): Promise<void> {
  const pRef = principalRef(db, caller, uid);
  const [user, key, walletDoc] = await Promise.all([db.doc(`users/${uid}`).get(), caller.key ? pRef.get() : null, db.doc(walletPath(wallet)).get()]);
  if (key) assertKeyUsable(key, now);
  const limits = limitsOf(key, planRate(user) ?? defaultPerMinute);
  const window = admitCreate((key ?? user).get("createWindow"), now.getTime(), limits.perMinute);
  if (!window.allowed) throw rateLimited(limits.perMinute, window.retryAfterSeconds);
  const debit = planDebit(planExpiry(walletOf(walletDoc.data()), now.getTime()).wallet, cost);
  if (!debit.ok) {
    await countRefusal(db, pRef, limits.perMinute, now);
    throw refusalOf(debit, cost);
  }
}

/**
 * For creates that decode many images and are not committed by the group commit (custom models):
 * once the cheap checks passed, the create takes its place in the principal's per-minute window
 * before any decode, whether it commits or not. A client retrying refused creates in a loop is
 * throttled like one that succeeds; the window is the one generation creates count in.
 */
export async function countCreate(db: Firestore, caller: Caller, uid: string, defaultPerMinute: number, now: Date): Promise<void> {
  const pRef = principalRef(db, caller, uid);
  const [user, key] = await Promise.all([db.doc(`users/${uid}`).get(), caller.key ? pRef.get() : null]);
  if (key) assertKeyUsable(key, now);
  await countRefusal(db, pRef, limitsOf(key, planRate(user) ?? defaultPerMinute).perMinute, now);
}

async function countRefusal(db: Firestore, ref: FirebaseFirestore.DocumentReference, perMinute: number, now: Date): Promise<void> {
  await runMoneyTransaction(db, async (tx) => {
    const snap = await tx.get(ref);
    const window = admitCreate(snap.get("createWindow"), now.getTime(), perMinute);
    if (!window.allowed) throw rateLimited(perMinute, window.retryAfterSeconds);
    tx.set(ref, { createWindow: window.next }, { merge: true });
  });
}
