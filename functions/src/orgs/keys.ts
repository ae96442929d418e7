// An organisation's API keys: made by an owner or admin, always acting for the organisation
// (the key document carries `orgId`); revoked with their creator when an owner asks.
import type { Firestore } from "firebase-admin/firestore";
import type { AuditActor } from "../audit/audit";
import { API_KEYS, revokeKey } from "../auth/apiKeyStore";

export async function revokeMemberKeys(db: Firestore, orgId: string, uid: string, actor: AuditActor): Promise<number> {
  const keys = await db.collection(API_KEYS).where("orgId", "==", orgId).where("uid", "==", uid).where("revokedAt", "==", null).get();
  for (const k of keys.docs) await revokeKey(db, k.id, actor, "member removed from the organisation");
  return keys.size;
}
