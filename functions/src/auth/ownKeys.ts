// A user making an API key for themselves: capped by their plan (ownKeyLimits.ts). One
// transaction reads the user, their plan and their keys and writes the new key together with a
// touch of the user document, so two creates at once cannot both take the last key slot (both
// write users/{uid}: the second retries and sees the first's key).
import { runMoneyTransaction } from "../shared/transaction";
import type { Firestore } from "firebase-admin/firestore";
import { planSchema } from "../billing/catalog";
import { planOf } from "../billing/userPlan";
import type { AuditActor } from "../audit/audit";
import { ApiError } from "../http/errors";
import { API_KEYS, writeNewKey, type NewKeyInput } from "./apiKeyStore";
import type { KeyEnv } from "./apiKeys";
import { isLiveKey, keyCapsOf, ownKeyLimits } from "./ownKeyLimits";

const dateOf = (v: unknown): Date | null => (v ? (v as { toDate(): Date }).toDate() : null);

export async function createOwnKey(db: Firestore, env: KeyEnv, input: NewKeyInput, actor: AuditActor, concurrencyCap: number) {
  return runMoneyTransaction(db, async (tx) => {
    const user = await tx.get(db.doc(`users/${input.userId}`));
    if (!user.exists) throw new ApiError("NOT_FOUND", "your account has no user record yet; sign in again");
    if (user.get("erasureStartedAt")) throw new ApiError("UNAUTHENTICATED", "this account has been erased");
    const planId = planOf(user.data()).id;
    const planSnap = await tx.get(db.doc(`plans/${planId}`));
    if (!planSnap.exists) throw new ApiError("FAILED_PRECONDITION", `plan '${planId}' is not in the catalog; ask support`);
    const caps = keyCapsOf(planSchema.parse(planSnap.data()));
    const keys = await tx.get(db.collection(API_KEYS).where("uid", "==", input.userId));
    const now = new Date();
    const live = keys.docs.filter((d) => !d.get("orgId") && isLiveKey({ revokedAt: dateOf(d.get("revokedAt")), expiresAt: dateOf(d.get("expiresAt")) }, now)).length;
    const limits = ownKeyLimits(input, caps, live, planId, concurrencyCap);
    tx.update(user.ref, { keysChangedAt: now });
    return writeNewKey(db, tx, env, { ...input, ...limits }, actor, now);
  });
}
