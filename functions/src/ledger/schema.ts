// What the credit endpoints accept and answer (the OpenAPI document reads these too).
import { z } from "zod";
import type { Config } from "../config";
import { docId } from "../http/ids";
import { nextCursorSchema, pageQuerySchema } from "../requests/schema";

const orgId = docId.optional().meta({ description: "an organisation's wallet instead of the caller's (owners and billing members)" });

export const creditsQuerySchema = (cfg: Pick<Config, "PAGE_SIZE_DEFAULT" | "PAGE_SIZE_MAX">) => z.strictObject({ ...pageQuerySchema(cfg), orgId });

export const grantSchema = (cfg: Pick<Config, "MAX_GRANT_AMOUNT">) =>
  z.strictObject({
    userId: docId.optional().meta({ description: "the user to grant to (give userId or orgId)" }),
    orgId: docId.optional().meta({ description: "the organisation to grant to" }),
    amount: z.number().int()
      .refine((n) => n !== 0, "must not be 0")
      .refine((n) => Math.abs(n) <= cfg.MAX_GRANT_AMOUNT, `must be at most ${cfg.MAX_GRANT_AMOUNT} in absolute value`)
      .meta({ description: `credits to add; a negative amount is an adjustment that cannot overdraw; never 0, at most ${cfg.MAX_GRANT_AMOUNT} in absolute value` }),
    reason: z.string().trim().min(3).max(500),
    idempotencyKey: z.string().min(8).max(255).optional(),
    source: z.enum(["admin", "promo"]).optional().meta({ description: "what the grant is, for the reports (default admin)" }),
    expiresAt: z.string().datetime().optional().meta({ description: "when what remains of it expires (default never)" }),
  }).refine((b) => !!b.userId !== !!b.orgId, { message: "give exactly one of userId and orgId", path: ["userId"] });

export const ledgerEntrySchema = z.strictObject({
  id: z.string(),
  type: z.enum(["grant", "debit", "refund", "adjustment", "expire", "clawback", "hold", "release"]),
  amount: z.number().int(),
  balanceAfter: z.number().int(),
  requestId: z.string().nullable(),
  reason: z.string(),
  createdAt: z.string().datetime(),
}).meta({ id: "LedgerEntry" });

export const liveGrantSchema = z.strictObject({
  id: z.string(),
  source: z.enum(["plan", "pack", "promo", "admin"]),
  remaining: z.number().int(),
  expiresAt: z.string().datetime().nullable(),
}).meta({ id: "LiveGrant" });

export const userPlanSchema = z.strictObject({
  id: z.string(),
  status: z.enum(["active", "cancelling", "past_due"]),
  periodEnd: z.string().datetime().nullable(),
}).meta({ id: "UserPlan" });

export const creditHistorySchema = z.strictObject({
  currentCredits: z.number().int(),
  /** Spend order: soonest expiry first. */
  grants: z.array(liveGrantSchema),
  debt: z.number().int(),
  creditLimit: z.number().int(),
  plan: userPlanSchema,
  transactions: z.array(ledgerEntrySchema),
  nextCursor: nextCursorSchema,
});

export const grantResultSchema = z.strictObject({
  userId: z.string(),
  entryId: z.string(),
  amount: z.number().int(),
  currentCredits: z.number().int(),
  replayed: z.boolean(),
});

export type CreditHistoryReply = z.infer<typeof creditHistorySchema>;
export type LedgerEntryReply = z.infer<typeof ledgerEntrySchema>;
