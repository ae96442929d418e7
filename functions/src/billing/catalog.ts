// The plan and pack catalogs (`plans/{id}`, `packs/{id}`), validated when read: what a plan gives
// each month, its custom-model slots, its rate limit and credit limit, and the Stripe prices
// that sell it.
import { z } from "zod";
import type { Firestore, Transaction } from "firebase-admin/firestore";
import { ApiError } from "../http/errors";

export const planSchema = z.object({
  displayName: z.string(),
  monthlyCredits: z.number().int().nonnegative(),
  modelSlots: z.number().int().nonnegative(),
  ratePerMinute: z.number().int().positive(),
  /** How far below zero usage may go before it is refused (postpaid; invoiced, not blocked). */
  creditLimit: z.number().int().nonnegative().default(0),
  stripePriceId: z.string().nullable().default(null),
  enabled: z.boolean().default(true),
  /**
   * Caps on the API keys a user makes for themselves (admin-made keys are not capped). Absent:
   * a key's rate is capped by the plan's ratePerMinute, no daily quota cap, 5 keys.
   */
  keyLimits: z.object({
    ratePerMinute: z.number().int().positive().optional(),
    dailyQuota: z.number().int().positive().nullable().optional(),
    maxKeys: z.number().int().nonnegative().optional(),
  }).optional(),
});
export type PlanDef = z.infer<typeof planSchema> & { id: string };

export const packSchema = z.object({
  displayName: z.string(),
  credits: z.number().int().positive(),
  stripePriceId: z.string().nullable().default(null),
  /** null: pack credits never expire (configurable: some jurisdictions limit prepaid expiry). */
  expiresAfterDays: z.number().int().positive().nullable().default(null),
  enabled: z.boolean().default(true),
});
export type PackDef = z.infer<typeof packSchema> & { id: string };

export const FREE_PLAN = "free";

async function readDef<T extends object>(db: Firestore, kind: "plans" | "packs", id: string, schema: z.ZodType<T>): Promise<(T & { id: string }) | null> {
  const snap = await db.doc(`${kind}/${id}`).get();
  if (!snap.exists) return null;
  return { ...schema.parse(snap.data()), id };
}

export async function readPlan(db: Firestore, id: string): Promise<PlanDef> {
  const plan = await readDef(db, "plans", id, planSchema);
  if (!plan || !plan.enabled) throw new ApiError("NOT_FOUND", `plan '${id}' not found`);
  return plan;
}

export async function readPack(db: Firestore, id: string): Promise<PackDef> {
  const pack = await readDef(db, "packs", id, packSchema);
  if (!pack || !pack.enabled) throw new ApiError("NOT_FOUND", `pack '${id}' not found`);
  return pack;
}

/** The catalog entry whose Stripe price is `priceId` (a webhook names prices, not our ids). */
export async function planByPrice(db: Firestore, priceId: string): Promise<PlanDef | null> {
  const q = await db.collection("plans").where("stripePriceId", "==", priceId).limit(1).get();
  return q.empty ? null : { ...planSchema.parse(q.docs[0].data()), id: q.docs[0].id };
}

/** The plan read inside a transaction (so a renewal follows a plan changed meanwhile). */
export async function readPlanIn(tx: Transaction, db: Firestore, id: string): Promise<PlanDef> {
  const snap = await tx.get(db.doc(`plans/${id}`));
  if (!snap.exists) throw new ApiError("NOT_FOUND", `plan '${id}' not found`);
  return { ...planSchema.parse(snap.data()), id };
}
