// Admin plan changes over HTTPS (the Stripe webhook and checkout live in billing/stripe).
import { z } from "zod";
import { endpoint } from "../http/endpoint";
import { parseInput } from "../http/validate";
import { docId } from "../http/ids";
import { actorOf } from "../audit/audit";
import { adminAuth, firestore } from "../shared/firestore";
import { setUserPlan as setPlan } from "./setPlan";

export const setUserPlanSchema = () => z.strictObject({
  userId: docId,
  planId: docId.meta({ description: "a plan of the catalog: free, creator, pro, enterprise" }),
  reason: z.string().trim().min(3).max(500),
  idempotencyKey: z.string().min(8).max(255).optional().meta({ description: "a retry with the same key answers the first call's result and moves nothing" }),
});

export const setUserPlanResultSchema = z.strictObject({
  userId: z.string(),
  planId: z.string(),
  periodEnd: z.string().datetime(),
  grantedCredits: z.number().int(),
  replayed: z.boolean().meta({ description: "true when nothing moved: the plan was already in force, or the idempotencyKey was used before" }),
});

export const setUserPlan = endpoint({
  name: "setUserPlan", method: "POST", access: "admin",
  summary: "Put a user on a plan now (billing outside Stripe): the old allowance ends, the new one is granted; the plan already in force is a replay; audited",
  input: setUserPlanSchema, output: () => setUserPlanResultSchema, errors: ["NOT_FOUND", "FAILED_PRECONDITION", "ACCOUNT_ERASED"],
}, async ({ caller, body }) => {
  const input = parseInput(setUserPlanSchema(), body);
  const exists = (uid: string) => adminAuth().getUser(uid).then(() => true, () => false);
  return { body: await setPlan(firestore(), { ...input, actor: `admin:${caller.uid}`, auditActor: actorOf(caller) }, exists) };
});
