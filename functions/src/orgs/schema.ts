// What the organisation endpoints accept and answer (the OpenAPI document reads these too).
import { z } from "zod";
import { docId } from "../http/ids";
import { ORG_ROLES } from "./roles";

const orgId = docId.meta({ description: "the organisation's id (from createOrganization)" });
const role = z.enum(ORG_ROLES);
const isoTime = z.string().datetime();

export const createOrgSchema = z.strictObject({ name: z.string().trim().min(1).max(100) });
export const createdOrgSchema = z.strictObject({ orgId: z.string(), name: z.string(), role: z.literal("owner") });

export const orgQuerySchema = z.strictObject({ orgId });

const budgetSchema = z.strictObject({ period: z.enum(["day", "month"]), credits: z.number().int() }).meta({ id: "Budget" });
const usageSchema = z.strictObject({
  period: z.string().meta({ description: "the current period: 2026-12-07 (day) or 2026-12 (month), in the organisation's time zone" }),
  used: z.number().int(), limit: z.number().int(), resetsAt: isoTime,
}).meta({ id: "BudgetUsage" });

export const organizationSchema = z.strictObject({
  orgId: z.string(), name: z.string(), role, timeZone: z.string(), lowBalanceCredits: z.number().int().nullable(),
  balance: z.strictObject({ currentCredits: z.number().int(), debt: z.number().int(), creditLimit: z.number().int() }),
  plan: z.strictObject({ id: z.string(), status: z.enum(["active", "cancelling", "past_due"]), periodEnd: isoTime.nullable() }),
  notices: z.array(z.strictObject({ id: z.string(), type: z.string(), message: z.string(), at: isoTime })),
});

export const inviteSchema = z.strictObject({ orgId, email: z.string().trim().email().max(254), role });
export const invitedSchema = z.strictObject({ invitationId: z.string(), expiresAt: isoTime });

export const acceptSchema = z.strictObject({ invitationId: docId });
export const acceptedSchema = z.strictObject({ orgId: z.string(), uid: z.string(), role, replayed: z.boolean() });

export const membersSchema = z.strictObject({
  members: z.array(z.strictObject({ uid: z.string(), email: z.string().nullable(), role, joinedAt: isoTime, budget: budgetSchema.nullable(), usage: usageSchema.nullable() })),
  invitations: z.array(z.strictObject({ invitationId: z.string(), email: z.string(), role, expiresAt: isoTime })),
});

export const setRoleSchema = z.strictObject({ orgId, uid: docId, role });
export const removeSchema = z.strictObject({ orgId, uid: docId, revokeKeys: z.boolean().default(false).meta({ description: "also revoke the organisation's keys this member created" }) });
export const memberChangedSchema = z.strictObject({ orgId: z.string(), uid: z.string(), role: role.nullable(), previousRole: role, revokedKeys: z.number().int().optional() });

export const setBudgetSchema = z.strictObject({
  orgId,
  uid: docId.optional().meta({ description: "a member's budget (give uid or keyId)" }),
  keyId: z.string().regex(/^[0-9a-f]{16}$/, "must be a keyId from createApiKey").optional().meta({ description: "an organisation key's budget" }),
  period: z.enum(["day", "month"]),
  credits: z.number().int().min(0).max(100_000_000).nullable().meta({ description: "the limit per period; null removes the budget" }),
}).refine((b) => !!b.uid !== !!b.keyId, { message: "give exactly one of uid and keyId", path: ["uid"] });
export const budgetSetSchema = z.strictObject({ orgId: z.string(), uid: z.string().nullable(), keyId: z.string().nullable(), budget: budgetSchema.nullable(), usage: usageSchema.nullable() });
