// The organisation endpoints: parse → check the caller's role in the organisation → act → answer.
import { endpoint } from "../http/endpoint";
import { parseInput } from "../http/validate";
import { actorOf } from "../audit/audit";
import { adminAuth, firestore } from "../shared/firestore";
import { orgAccess } from "./access";
import { accept, changeMember, createOrg, invite } from "./membership";
import { setBudget as writeBudget } from "./budgets";
import { revokeMemberKeys } from "./keys";
import { membersView, organizationView } from "./view";
import * as s from "./schema";

export const createOrganization = endpoint({
  name: "createOrganization", method: "POST", access: "user",
  summary: "Create an organisation; you are its first owner",
  input: () => s.createOrgSchema, output: () => s.createdOrgSchema, statuses: [201],
}, async ({ caller, body }) => {
  const input = parseInput(s.createOrgSchema, body);
  const user = await adminAuth().getUser(caller.uid);
  return { status: 201, body: await createOrg(firestore(), actorOf(caller), { name: input.name, email: user.email?.toLowerCase() ?? null }) };
});

export const getOrganization = endpoint({
  name: "getOrganization", method: "GET", access: "user",
  summary: "An organisation: your role, its plan, balance and notices", input: () => s.orgQuerySchema, output: () => s.organizationSchema, errors: ["NOT_FOUND"],
}, async ({ caller, query }) => {
  const { orgId } = parseInput(s.orgQuerySchema, query, "query");
  return { body: await organizationView(firestore(), await orgAccess(firestore(), caller, orgId, "read")) };
});

export const inviteMember = endpoint({
  name: "inviteMember", method: "POST", access: "user",
  summary: "Invite someone by email (valid 7 days); owners and admins", input: () => s.inviteSchema, output: () => s.invitedSchema, statuses: [201], errors: ["NOT_FOUND"],
}, async ({ caller, body }) => {
  const input = parseInput(s.inviteSchema, body);
  const access = await orgAccess(firestore(), caller, input.orgId, "members");
  return { status: 201, body: await invite(firestore(), access, actorOf(caller), input) };
});

export const acceptInvitation = endpoint({
  name: "acceptInvitation", method: "POST", access: "user",
  summary: "Join an organisation; your verified email must be the invited one", input: () => s.acceptSchema, output: () => s.acceptedSchema, errors: ["NOT_FOUND", "FAILED_PRECONDITION"],
}, async ({ caller, body }) => {
  const input = parseInput(s.acceptSchema, body);
  const user = await adminAuth().getUser(caller.uid);
  return { body: await accept(firestore(), actorOf(caller), input.invitationId, { email: user.email ?? null, emailVerified: user.emailVerified }) };
});

export const listMembers = endpoint({
  name: "listMembers", method: "GET", access: "user",
  summary: "Members with their budgets and usage; pending invitations for owners and admins", input: () => s.orgQuerySchema, output: () => s.membersSchema, errors: ["NOT_FOUND"],
}, async ({ caller, query }) => {
  const { orgId } = parseInput(s.orgQuerySchema, query, "query");
  return { body: await membersView(firestore(), await orgAccess(firestore(), caller, orgId, "read")) };
});

export const setMemberRole = endpoint({
  name: "setMemberRole", method: "POST", access: "user",
  summary: "Change a member's role (never the last owner's); audited", input: () => s.setRoleSchema, output: () => s.memberChangedSchema, errors: ["NOT_FOUND", "FAILED_PRECONDITION"],
}, async ({ caller, body }) => {
  const input = parseInput(s.setRoleSchema, body);
  const access = await orgAccess(firestore(), caller, input.orgId, "read");
  return { body: await changeMember(firestore(), access, actorOf(caller), input.uid, input.role) };
});

export const removeMember = endpoint({
  name: "removeMember", method: "POST", access: "user",
  summary: "Remove a member (or leave); refused at once afterwards; audited", input: () => s.removeSchema, output: () => s.memberChangedSchema, errors: ["NOT_FOUND", "FAILED_PRECONDITION"],
}, async ({ caller, body }) => {
  const input = parseInput(s.removeSchema, body);
  const access = await orgAccess(firestore(), caller, input.orgId, "read");
  const changed = await changeMember(firestore(), access, actorOf(caller), input.uid, null);
  if (!input.revokeKeys) return { body: changed };
  return { body: { ...changed, revokedKeys: await revokeMemberKeys(firestore(), input.orgId, input.uid, actorOf(caller)) } };
});

export const setBudget = endpoint({
  name: "setBudget", method: "POST", access: "user",
  summary: "A member's or key's credit budget per day or month (null removes it); owners and admins", input: () => s.setBudgetSchema, output: () => s.budgetSetSchema, errors: ["NOT_FOUND"],
}, async ({ caller, body }) => {
  const input = parseInput(s.setBudgetSchema, body);
  const access = await orgAccess(firestore(), caller, input.orgId, "budgets");
  return { body: await writeBudget(firestore(), access, actorOf(caller), input) };
});
