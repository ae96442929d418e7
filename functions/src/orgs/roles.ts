// Roles inside an organisation and what each may do: pure, so the table is unit-tested.
// `owner` may do everything and there is always at least one; `admin` runs members, keys and
// budgets; `billing` runs the plan, checkout, invoices and usage; `member` generates with the
// organisation's credits and sees their own requests. Platform admins act as owners everywhere.
export const ORG_ROLES = ["owner", "admin", "billing", "member"] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

export type OrgAction = "read" | "generate" | "members" | "keys" | "budgets" | "billing" | "usage" | "readAll";

const ALLOWED: Record<OrgAction, readonly OrgRole[]> = {
  read: ORG_ROLES,
  generate: ORG_ROLES,
  members: ["owner", "admin"],
  keys: ["owner", "admin"],
  budgets: ["owner", "admin"],
  billing: ["owner", "billing"],
  usage: ["owner", "admin", "billing"],
  readAll: ["owner", "admin"],
};

export const mayDo = (role: OrgRole, action: OrgAction) => ALLOWED[action].includes(role);

/** Only an owner may make, unmake or remove an owner; an admin manages the other roles. */
export function mayAssign(actor: OrgRole, from: OrgRole | null, to: OrgRole | null): boolean {
  if (!mayDo(actor, "members")) return false;
  if (actor === "owner") return true;
  return from !== "owner" && to !== "owner";
}

/** Whether a change leaves the organisation without an owner (`owners` counted before the change). */
export const leavesNoOwner = (owners: number, from: OrgRole, to: OrgRole | null) => from === "owner" && to !== "owner" && owners <= 1;

export const isOrgRole = (v: unknown): v is OrgRole => typeof v === "string" && (ORG_ROLES as readonly string[]).includes(v);
