// Changing a user's role: the Auth custom claim (what tokens carry), the users/{uid}.role mirror
// (what queries and the console see) and an audit entry. Shared by the setUserRole endpoint and
// the bootstrap script, which is the one caller allowed to skip the superadmin check.
import type { Auth } from "firebase-admin/auth";
import type { Firestore } from "firebase-admin/firestore";
import { ApiError } from "../http/errors";
import { recordAudit, type AuditActor } from "../audit/audit";
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

export async function changeRole(db: Firestore, auth: Auth, actor: AuditActor, change: RoleChange, opts: { bootstrap?: boolean } = {}): Promise<RoleChangeResult> {
  const user = await auth.getUser(change.userId).catch(() => {
    throw new ApiError("NOT_FOUND", `user '${change.userId}' not found`);
  });
  const before = roleOf(user.customClaims?.role);
  if (!opts.bootstrap) checkRoleChange({ uid: actor.uid, role: roleOf(actor.role) }, { uid: change.userId, from: before, to: change.role });
  if (before === change.role) return { userId: change.userId, before, after: before, changed: false, tokensRevoked: false };

  // The audit entry and the mirror commit first: if the claim update then fails, the log shows an
  // attempted change and a retry completes it, whereas the other order could leave a role change
  // that nothing records.
  const now = new Date();
  const batch = db.batch();
  batch.set(db.doc(`users/${change.userId}`), { role: change.role, updatedAt: now }, { merge: true });
  recordAudit(db, batch, { action: "role.set", actor, target: { userId: change.userId }, before: { role: before }, after: { role: change.role }, reason: change.reason }, now);
  await batch.commit();
  await auth.setCustomUserClaims(change.userId, { ...(user.customClaims ?? {}), role: change.role });
  const demoted = !hasRole(change.role, before);
  if (demoted) await auth.revokeRefreshTokens(change.userId);
  return { userId: change.userId, before, after: change.role, changed: true, tokensRevoked: demoted };
}
