import { z } from "zod";
import { docId } from "../http/ids";
import { config } from "../config";
import { endpoint } from "../http/endpoint";
import { parseInput } from "../http/validate";
import { targetUser } from "../auth/caller";
import { adminAuth, firestore } from "../shared/firestore";
import { pageQuerySchema } from "../requests/schema";
import { creditHistory } from "./history";
import { grantCredits as grant } from "./grant";
import { actorOf } from "../audit/audit";

export const getUserCredits = endpoint({ name: "getUserCredits", method: "GET", access: "user", scope: "read" }, async ({ caller, query }) => {
  const q = parseInput(z.strictObject(pageQuerySchema(config())), query, "query");
  return { body: await creditHistory(firestore(), targetUser(caller, q.userId), q) };
});

const grantSchema = () =>
  z.strictObject({
    userId: docId,
    amount: z.number().int().refine((n) => n !== 0, "must not be 0").refine((n) => Math.abs(n) <= config().MAX_GRANT_AMOUNT, `must be at most ${config().MAX_GRANT_AMOUNT} in absolute value`),
    reason: z.string().trim().min(3).max(500),
    idempotencyKey: z.string().min(8).max(255).optional(),
  });

export const grantCredits = endpoint({ name: "grantCredits", method: "POST", access: "admin" }, async ({ caller, body }) => {
  const input = parseInput(grantSchema(), body);
  const exists = (uid: string) => adminAuth().getUser(uid).then(() => true, () => false);
  const result = await grant(firestore(), { ...input, actor: `admin:${caller.uid}`, auditActor: actorOf(caller) }, exists);
  return { status: result.replayed ? 200 : 201, body: result };
});
