// API key documents: apiKeys/{keyId}. Authenticating a key is one point read by the id embedded
// in the key (never cached: a revocation takes effect on the next call), plus the key's Auth
// account state (cached briefly, see accountState.ts).
import type { Firestore, Timestamp, Transaction, WriteBatch } from "firebase-admin/firestore";
import { ApiError } from "../http/errors";
import { recordAudit, type AuditActor } from "../audit/audit";
import { log } from "../shared/log";
import { assertAccountActive, type AccountStateCache } from "./accountState";
import { utcDay } from "../requests/rateLimit";
import { hashApiKey, hashMatches, keyRefusal, lastUsedIsStale, newApiKey, parseApiKey, type KeyEnv, type KeyScope } from "./apiKeys";

export const API_KEYS = "apiKeys";

/** What a verified key lets its holder do; carried on the Caller. Its rate and quota are read where they are counted, in the create's commit. */
export interface KeyGrant {
  keyId: string;
  scopes: KeyScope[];
  /** Create calls this key may have in progress on one instance (null: the configured default). */
  maxConcurrentCreates?: number | null;
  /** The organisation an organisation's key always acts for (null: the user's own key). */
  orgId?: string | null;
}

export interface NewKeyInput {
  userId: string;
  /** An organisation's key: acts for it, whoever made it. */
  orgId?: string | null;
  name: string;
  scopes: KeyScope[];
  expiresAt: Date | null;
  dailyQuota: number | null;
  ratePerMinute: number | null;
  maxConcurrentCreates: number | null;
}

const date = (t: Timestamp | null | undefined) => (t ? t.toDate() : null);
const iso = (t: Timestamp | null | undefined) => date(t)?.toISOString() ?? null;

export async function verifyApiKey(db: Firestore, plain: string, now: Date, accounts: AccountStateCache): Promise<{ uid: string; key: KeyGrant }> {
  const parsed = parseApiKey(plain);
  if (!parsed) throw new ApiError("UNAUTHENTICATED", "malformed API key: expected sk_live_… or sk_test_… as issued by createApiKey");
  const snap = await db.doc(`${API_KEYS}/${parsed.keyId}`).get();
  if (!snap.exists || !hashMatches(plain, snap.get("hash"))) throw new ApiError("UNAUTHENTICATED", "invalid API key");
  assertKeyUsable(snap, now);
  await assertAccountActive(accounts, snap.get("uid"), snap.get("prefix") ?? parsed.keyId);
  if (lastUsedIsStale(date(snap.get("lastUsedAt")), now)) {
    // Best effort: a lost lastUsedAt update must never fail the caller's request.
    await snap.ref.update({ lastUsedAt: now }).catch((e) => log.warn("apiKey.last_used_write_failed", { keyId: parsed.keyId, error: String(e) }));
  }
  return {
    uid: snap.get("uid"),
    key: { keyId: parsed.keyId, scopes: snap.get("scopes"), maxConcurrentCreates: snap.get("maxConcurrentCreates") ?? null, orgId: snap.get("orgId") ?? null },
  };
}

/** Throws API_KEY_REVOKED / API_KEY_EXPIRED for a stored key that may no longer be used (a deleted one counts as revoked). */
export function assertKeyUsable(snap: FirebaseFirestore.DocumentSnapshot, now: Date): void {
  const refusal = snap.exists ? keyRefusal({ revokedAt: date(snap.get("revokedAt")), expiresAt: date(snap.get("expiresAt")) }, now) : "API_KEY_REVOKED";
  const prefix = snap.get("prefix") ?? snap.id;
  if (refusal === "API_KEY_REVOKED") throw new ApiError(refusal, `API key ${prefix} was revoked`);
  if (refusal === "API_KEY_EXPIRED") throw new ApiError(refusal, `API key ${prefix} expired at ${iso(snap.get("expiresAt"))}`);
}

export async function createKey(db: Firestore, env: KeyEnv, input: NewKeyInput, actor: AuditActor) {
  const batch = db.batch();
  const created = writeNewKey(db, batch, env, input, actor, new Date());
  await batch.commit();
  return created;
}

/** The key document and its audit entry, in the caller's batch or transaction; returns the create answer. */
export function writeNewKey(db: Firestore, writer: WriteBatch | Transaction, env: KeyEnv, input: NewKeyInput, actor: AuditActor, now: Date) {
  const { plain, keyId, prefix } = newApiKey(env);
  const summary = { keyId, prefix, name: input.name, scopes: input.scopes, expiresAt: input.expiresAt, dailyQuota: input.dailyQuota, ratePerMinute: input.ratePerMinute, maxConcurrentCreates: input.maxConcurrentCreates };
  writer.create(db.doc(`${API_KEYS}/${keyId}`), {
    ...summary, uid: input.userId, orgId: input.orgId ?? null, env, hash: hashApiKey(plain), createdBy: actor.uid, createdAt: now, revokedAt: null, revokedBy: null, lastUsedAt: null,
  });
  recordAudit(db, writer, { action: "apiKey.create", actor, target: { userId: input.userId, keyId, ...(input.orgId ? { orgId: input.orgId } : {}) }, after: summary }, now);
  return { ...viewOf({ ...summary, userId: input.userId, createdAt: now, revokedAt: null, lastUsedAt: null }), key: plain };
}

export async function listKeys(db: Firestore, userId: string) {
  const snap = await db.collection(API_KEYS).where("uid", "==", userId).get();
  const today = utcDay(Date.now());
  return snap.docs
    .map((d) => viewOf({
      keyId: d.id, prefix: d.get("prefix"), name: d.get("name"), scopes: d.get("scopes"), userId, dailyQuota: d.get("dailyQuota"), ratePerMinute: d.get("ratePerMinute"), maxConcurrentCreates: d.get("maxConcurrentCreates"),
      expiresAt: date(d.get("expiresAt")), createdAt: date(d.get("createdAt"))!, revokedAt: date(d.get("revokedAt")), lastUsedAt: date(d.get("lastUsedAt")),
      createsToday: d.get("dailyUsage")?.day === today ? d.get("dailyUsage").count : 0,
    }))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Idempotent: revoking a revoked key answers its original revocation time and audits nothing. */
/** `ownerUid`: only that user's key (another user's is answered as not found, saying nothing about it). */
export async function revokeKey(db: Firestore, keyId: string, actor: AuditActor, reason: string | null, ownerUid?: string) {
  return db.runTransaction(async (tx) => {
    const ref = db.doc(`${API_KEYS}/${keyId}`);
    const snap = await tx.get(ref);
    if (!snap.exists || (ownerUid !== undefined && snap.get("uid") !== ownerUid)) throw new ApiError("NOT_FOUND", `API key '${keyId}' not found`);
    const already = date(snap.get("revokedAt"));
    if (already) return { keyId, revokedAt: already.toISOString(), alreadyRevoked: true };
    const now = new Date();
    tx.update(ref, { revokedAt: now, revokedBy: actor.uid });
    recordAudit(db, tx, { action: "apiKey.revoke", actor, target: { userId: snap.get("uid"), keyId }, before: { revokedAt: null }, after: { revokedAt: now }, reason }, now);
    return { keyId, revokedAt: now.toISOString(), alreadyRevoked: false };
  });
}

interface KeyView {
  keyId: string; prefix: string; name: string; scopes: KeyScope[]; userId: string; dailyQuota: number | null; ratePerMinute: number | null; maxConcurrentCreates?: number | null;
  expiresAt: Date | null; createdAt: Date; revokedAt: Date | null; lastUsedAt: Date | null; createsToday?: number;
}

function viewOf(k: KeyView) {
  return {
    keyId: k.keyId, prefix: k.prefix, name: k.name, userId: k.userId, scopes: k.scopes, dailyQuota: k.dailyQuota ?? null, ratePerMinute: k.ratePerMinute ?? null, maxConcurrentCreates: k.maxConcurrentCreates ?? null,
    expiresAt: k.expiresAt?.toISOString() ?? null, createdAt: k.createdAt.toISOString(), revokedAt: k.revokedAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null, ...(k.createsToday !== undefined ? { createsToday: k.createsToday } : {}),
  };
}
