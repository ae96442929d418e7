// Changing a user's role: the users/{uid}.role mirror (what the rules, queries and the console
// trust), an audit entry, and the Auth custom claim (what tokens carry). Shared by the
// setUserRole endpoint and the bootstrap script, which is the one caller allowed to skip the
// superadmin check.
//
// The mirror and the audit entry commit first, in one transaction that also bumps
// `roleVersion` and marks the claim as pending; the claim and (on a demotion) the token
// revocation follow, and the pending mark is cleared only if no later change came in between.
// So a failed claim update or revocation is finished by the next call (even one that changes
// nothing), and concurrent changes end with claim, mirror and audit log naming the same last
// writer.
import type { Auth } from "firebase-admin/auth";
import type { DocumentReference, Firestore } from "firebase-admin/firestore";
import { ApiError } from "../http/errors";
import { recordAudit, type AuditActor } from "../audit/audit";
import { assertNotErased } from "../lifecycle/erased";
import { checkRoleChange, hasRole, roleOf, type Role } from "./roles";

export interface RoleChange {
  userId: string;
  role: Role;
  reason: string;
}

export interface RoleChangeResult {
  userId: string;
  before: Role;
  after: Role;
  changed: boolean;
  /** A demotion signs the user out everywhere, so a stale elevated token stops working at once. */
  tokensRevoked: boolean;
}

type RoleAuth = Pick<Auth, "getUser" | "setCustomUserClaims" | "revokeRefreshTokens">;

const SYNC_ROUNDS = 5;

export async function changeRole(db: Firestore, auth: RoleAuth, actor: AuditActor, change: RoleChange, opts: { bootstrap?: boolean } = {}): Promise<RoleChangeResult> {
  const user = await auth.getUser(change.userId).catch(() => {
    throw new ApiError("NOT_FOUND", `user '${change.userId}' not found`);
  });
  const ref = db.doc(`users/${change.userId}`);
  const { before, changed } = await db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    const before = snap.get("role") ? roleOf(snap.get("role")) : roleOf(user.customClaims?.role);
    if (!opts.bootstrap) checkRoleChange({ uid: actor.uid, role: roleOf(actor.role) }, { uid: change.userId, from: before, to: change.role });
    assertNotErased(snap, "role change");
    if (before === change.role) return { before, changed: false };
    const now = new Date();
    const demoted = !hasRole(change.role, before);
    tx.set(ref, {
      role: change.role,
      roleVersion: ((snap.get("roleVersion") as number | undefined) ?? 0) + 1,
      // A revocation still owed by an earlier, unfinished demotion stays owed.
      roleSync: { pending: true, revoke: demoted || snap.get("roleSync.revoke") === true },
      updatedAt: now,
      // A user promoted before ever calling the API gets a complete document, so listUsers finds them.
      ...(snap.exists ? {} : { createdAt: now, email: user.email ?? null, credits: 0 }),
    }, { merge: true });
    recordAudit(db, tx, { action: "role.set", actor, target: { userId: change.userId }, before: { role: before }, after: { role: change.role }, reason: change.reason }, now);
    return { before, changed: true };
  });
  const { tokensRevoked } = await syncRoleClaim(db, auth, ref);
  return { userId: change.userId, before, after: change.role, changed, tokensRevoked };
}

/** Makes the Auth claim (and revocation) follow the mirror; safe to run any number of times. */
export async function syncRoleClaim(db: Firestore, auth: RoleAuth, ref: DocumentReference): Promise<{ tokensRevoked: boolean }> {
  let tokensRevoked = false;
  for (let round = 0; round < SYNC_ROUNDS; round++) {
    const snap = await ref.get();
    const role = roleOf(snap.get("role"));
    const version = snap.get("roleVersion") ?? 0;
    // Always compared, pending or not: a concurrent call may have written a claim it read before
    // this mirror value, and this is the last word of whichever call finishes last.
    const user = await auth.getUser(ref.id);
    if (roleOf(user.customClaims?.role) !== role) await auth.setCustomUserClaims(ref.id, { ...(user.customClaims ?? {}), role });
    if (snap.get("roleSync.pending") !== true) return { tokensRevoked };
    if (snap.get("roleSync.revoke") === true) {
      await auth.revokeRefreshTokens(ref.id);
      tokensRevoked = true;
    }
    const settled = await db.runTransaction(async (tx) => {
      const now = await tx.get(ref);
      if ((now.get("roleVersion") ?? 0) !== version) return false;
      tx.update(ref, { roleSync: { pending: false, revoke: false, syncedAt: new Date() } });
      return true;
    });
    if (settled) return { tokensRevoked };
  }
  throw new ApiError("UNAVAILABLE", "the role is changing concurrently; retry to finish applying it", { retryAfterSeconds: 1 });
}
