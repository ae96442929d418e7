// What getOrganization and listMembers answer: the organisation as its members see it (balance,
// plan, notices), and its members with their budgets and what those have used this period.
import type { Firestore } from "firebase-admin/firestore";
import { planOf } from "../billing/userPlan";
import { walletOf } from "../ledger/grants/wallet";
import { INVITATIONS, ORGS, type OrgAccess } from "./access";
import { timeZoneOf, usageOf } from "./budgets";
import { mayDo } from "./roles";

const iso = (t: unknown) => ((t as FirebaseFirestore.Timestamp | null | undefined)?.toDate().toISOString() ?? null);

export async function organizationView(db: Firestore, access: OrgAccess) {
  const { org, orgId } = access;
  const notices = await db.collection(`${ORGS}/${orgId}/notices`).orderBy("at", "desc").limit(20).get();
  const wallet = walletOf(org.data());
  const plan = planOf(org.data());
  return {
    orgId, name: org.get("name") as string, role: access.role, timeZone: timeZoneOf(access),
    lowBalanceCredits: (org.get("lowBalanceCredits") as number | null) ?? null,
    balance: { currentCredits: (org.get("credits") as number | undefined) ?? 0, debt: wallet.debt, creditLimit: wallet.creditLimit },
    plan: { id: plan.id, status: plan.status, periodEnd: plan.periodEnd?.toISOString() ?? null },
    notices: notices.docs.map((d) => ({ id: d.id, type: d.get("type") as string, message: d.get("message") as string, at: iso(d.get("at"))! })),
  };
}

export async function membersView(db: Firestore, access: OrgAccess) {
  const { orgId } = access;
  const now = Date.now();
  const tz = timeZoneOf(access);
  const canManage = mayDo(access.role, "members");
  const [members, invitations] = await Promise.all([
    db.collection(`${ORGS}/${orgId}/members`).get(),
    canManage ? db.collection(INVITATIONS).where("orgId", "==", orgId).where("acceptedAt", "==", null).get() : null,
  ]);
  return {
    members: members.docs.map((d) => ({
      uid: d.id, email: (d.get("email") as string | null) ?? null, role: d.get("role") as string, joinedAt: iso(d.get("joinedAt"))!,
      budget: (d.get("budget") as { period: "day" | "month"; credits: number } | undefined) ?? null, usage: usageOf(d.get("budget"), d.get("budgetUsed"), now, tz),
    })),
    // Pending invitations, to those who manage members.
    invitations: (invitations?.docs ?? []).filter((d) => (d.get("expiresAt") as FirebaseFirestore.Timestamp).toMillis() > now).map((d) => ({
      invitationId: d.id, email: d.get("email") as string, role: d.get("role") as string, expiresAt: iso(d.get("expiresAt"))!,
    })),
  };
}
