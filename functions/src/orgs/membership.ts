// Creating an organisation and changing who belongs to it. Every change is a transaction that
// writes its audit entry in the same commit; the owner count is read inside the transaction that
// changes a role or removes a member, so two concurrent demotions can never leave no owner.
import { runMoneyTransaction } from "../shared/transaction";
import type { Firestore, Transaction } from "firebase-admin/firestore";
import { ApiError } from "../http/errors";
import { recordAudit, type AuditActor, type AuditAction } from "../audit/audit";
import { INVITATIONS, memberPath, ORGS, orgPath, type OrgAccess } from "./access";
import { leavesNoOwner, mayAssign, type OrgRole } from "./roles";

export const INVITATION_DAYS = 7;

const audit = (db: Firestore, tx: Transaction, action: AuditAction, actor: AuditActor, orgId: string, userId: string, before: Record<string, unknown> | null, after: Record<string, unknown> | null, now: Date) =>
  recordAudit(db, tx, { action, actor, target: { userId, orgId }, before, after }, now);

export async function createOrg(db: Firestore, actor: AuditActor, input: { name: string; email: string | null }) {
  const orgId = db.collection(ORGS).doc().id;
  const now = new Date();
  await runMoneyTransaction(db, async (tx) => {
    // A wallet like a user's: `credits` with no grants yet (ledger/grants/wallet.ts walletOf).
    tx.create(db.doc(orgPath(orgId)), { name: input.name, timeZone: "UTC", lowBalanceCredits: null, credits: 0, createdBy: actor.uid, createdAt: now, updatedAt: now });
    tx.create(db.doc(memberPath(orgId, actor.uid)), { uid: actor.uid, orgId, role: "owner", email: input.email, joinedAt: now });
    audit(db, tx, "org.create", actor, orgId, actor.uid, null, { name: input.name, role: "owner" }, now);
  });
  return { orgId, name: input.name, role: "owner" as const };
}

export async function invite(db: Firestore, access: OrgAccess, actor: AuditActor, input: { email: string; role: OrgRole }) {
  if (!mayAssign(access.role, null, input.role)) throw new ApiError("PERMISSION_DENIED", `your role '${access.role}' may not invite a '${input.role}'`);
  const ref = db.collection(INVITATIONS).doc();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + INVITATION_DAYS * 86_400_000);
  await runMoneyTransaction(db, async (tx) => {
    tx.create(ref, { orgId: access.orgId, email: input.email.toLowerCase(), role: input.role, invitedBy: actor.uid, createdAt: now, expiresAt, acceptedAt: null, acceptedBy: null });
    audit(db, tx, "org.member.invite", actor, access.orgId, actor.uid, null, { invitationId: ref.id, email: input.email.toLowerCase(), role: input.role }, now);
  });
  return { invitationId: ref.id, expiresAt: expiresAt.toISOString() };
}

/** By the signed-in user whose verified email is the invited one; accepting twice answers the same. */
export async function accept(db: Firestore, actor: AuditActor, invitationId: string, who: { email: string | null; emailVerified: boolean }) {
  return runMoneyTransaction(db, async (tx) => {
    const inv = await tx.get(db.doc(`${INVITATIONS}/${invitationId}`));
    if (!inv.exists) throw new ApiError("NOT_FOUND", `invitation '${invitationId}' not found`);
    const orgId = inv.get("orgId") as string;
    const role = inv.get("role") as OrgRole;
    if (!who.emailVerified || !who.email || who.email.toLowerCase() !== inv.get("email")) {
      throw new ApiError("PERMISSION_DENIED", "this invitation is for another email address (or yours is not verified yet)");
    }
    if (inv.get("acceptedAt")) {
      if (inv.get("acceptedBy") === actor.uid) return { orgId, uid: actor.uid, role, replayed: true };
      throw new ApiError("FAILED_PRECONDITION", "this invitation has already been accepted");
    }
    const now = new Date();
    if ((inv.get("expiresAt") as FirebaseFirestore.Timestamp).toMillis() <= now.getTime()) throw new ApiError("FAILED_PRECONDITION", "this invitation has expired; ask for a new one");
    const [org, member] = await Promise.all([tx.get(db.doc(orgPath(orgId))), tx.get(db.doc(memberPath(orgId, actor.uid)))]);
    if (!org.exists) throw new ApiError("NOT_FOUND", `organisation '${orgId}' no longer exists`);
    // Already a member: the invitation is used up, the role kept (a role changes through setMemberRole).
    if (!member.exists) tx.create(member.ref, { uid: actor.uid, orgId, role, email: who.email.toLowerCase(), joinedAt: now });
    tx.update(inv.ref, { acceptedAt: now, acceptedBy: actor.uid });
    audit(db, tx, "org.member.join", actor, orgId, actor.uid, null, { invitationId, role: member.exists ? member.get("role") : role }, now);
    return { orgId, uid: actor.uid, role: (member.exists ? member.get("role") : role) as OrgRole, replayed: false };
  });
}

/** A role change or a removal (`to` null); refuses what would leave no owner or exceed the actor's role. */
export async function changeMember(db: Firestore, access: OrgAccess, actor: AuditActor, uid: string, to: OrgRole | null) {
  const { orgId } = access;
  return runMoneyTransaction(db, async (tx) => {
    const [target, owners] = await Promise.all([
      tx.get(db.doc(memberPath(orgId, uid))),
      tx.get(db.collection(`${ORGS}/${orgId}/members`).where("role", "==", "owner")),
    ]);
    if (!target.exists) throw new ApiError("NOT_FOUND", `'${uid}' is not a member of organisation '${orgId}'`);
    const from = target.get("role") as OrgRole;
    // Anyone may leave; everything else needs the role to assign both the old and the new role.
    const leaving = to === null && uid === actor.uid;
    if (!leaving && !mayAssign(access.role, from, to)) throw new ApiError("PERMISSION_DENIED", `your role '${access.role}' may not change a '${from}'${to ? ` to '${to}'` : ""}`);
    if (leavesNoOwner(owners.size, from, to)) throw new ApiError("FAILED_PRECONDITION", "an organisation always keeps at least one owner; make another owner first");
    const now = new Date();
    if (to === null) tx.delete(target.ref);
    else tx.update(target.ref, { role: to, updatedAt: now });
    audit(db, tx, to === null ? "org.member.remove" : "org.member.role", actor, orgId, uid, { role: from }, to === null ? null : { role: to }, now);
    return { orgId, uid, role: to, previousRole: from };
  });
}
