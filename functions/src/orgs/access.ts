// Who may do what in an organisation: one point read of the organisation and of the caller's
// membership per call (exact: a removed member is refused from the next call on). Platform
// admins act as owners. An API key acts only for the organisation it was made for.
import type { DocumentSnapshot, Firestore } from "firebase-admin/firestore";
import { ApiError } from "../http/errors";
import { isAdmin, type Caller } from "../auth/caller";
import { isOrgRole, mayDo, type OrgAction, type OrgRole } from "./roles";

export const ORGS = "orgs";
export const INVITATIONS = "orgInvitations";
export const orgPath = (orgId: string) => `${ORGS}/${orgId}`;
export const memberPath = (orgId: string, uid: string) => `${ORGS}/${orgId}/members/${uid}`;

export interface OrgAccess {
  orgId: string;
  role: OrgRole;
  org: DocumentSnapshot;
  /** The caller's member document (absent for a platform admin who is not a member). */
  member: DocumentSnapshot;
}

export const notAMember = (orgId: string) => new ApiError("PERMISSION_DENIED", `you are not a member of organisation '${orgId}'`);

export async function orgAccess(db: Firestore, caller: Caller, orgId: string, action: OrgAction): Promise<OrgAccess> {
  const [org, member] = await db.getAll(db.doc(orgPath(orgId)), db.doc(memberPath(orgId, caller.uid)));
  if (!org.exists) throw new ApiError("NOT_FOUND", `organisation '${orgId}' not found`);
  if (caller.key && caller.key.orgId !== orgId) throw new ApiError("PERMISSION_DENIED", `this API key does not act for organisation '${orgId}'`);
  const role = roleOf(caller, member);
  if (!role) throw notAMember(orgId);
  if (!mayDo(role, action)) throw new ApiError("PERMISSION_DENIED", `your role '${role}' in organisation '${orgId}' does not allow '${action}'`, { role, action });
  return { orgId, role, org, member };
}

/** A key of the organisation acts as a member (generate and read its own); a platform admin as an owner. */
function roleOf(caller: Caller, member: DocumentSnapshot): OrgRole | null {
  if (caller.key) return "member";
  if (isAdmin(caller)) return "owner";
  const role = member.exists ? member.get("role") : null;
  return isOrgRole(role) ? role : null;
}
