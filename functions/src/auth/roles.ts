// Roles live in the Firebase Auth custom claim `role` (mirrored on users/{uid}.role for queries).
// superadmin manages admins; admin manages users, credits, keys and reads reports; user uses.
import { ApiError } from "../http/errors";

export const ROLES = ["user", "admin", "superadmin"] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { user: 0, admin: 1, superadmin: 2 };

export function roleOf(claim: unknown): Role {
  return claim === "admin" || claim === "superadmin" ? claim : "user";
}

export const hasRole = (actual: Role, required: Role) => RANK[actual] >= RANK[required];
export const isElevated = (role: Role) => role !== "user";

/**
 * Whether `actor` may move `target` from `from` to `to`. Only a superadmin touches roles at all,
 * and never their own: the last superadmin demoting themselves would lock everyone out, and
 * another superadmin (or the bootstrap script) can always do it for them.
 */
export function checkRoleChange(actor: { uid: string; role: Role }, target: { uid: string; from: Role; to: Role }): void {
  if (actor.role !== "superadmin") throw new ApiError("PERMISSION_DENIED", "only a superadmin may change roles");
  if (actor.uid === target.uid) throw new ApiError("FAILED_PRECONDITION", "a superadmin cannot change their own role; ask another superadmin");
}
