import { config } from "../config";
import { endpoint } from "../http/endpoint";
import { parseInput } from "../http/validate";
import { targetUser } from "../auth/caller";
import { adminAuth, firestore } from "../shared/firestore";
import { creditHistory } from "./history";
import { grantCredits as grant } from "./grant";
import { actorOf } from "../audit/audit";
import { orgAccess } from "../orgs/access";
import { orgWallet, userWallet } from "./walletRef";
import { creditHistorySchema, creditsQuerySchema, grantResultSchema, grantSchema } from "./schema";

export const getUserCredits = endpoint({
  name: "getUserCredits", method: "GET", access: "user", scope: "read",
  summary: "The balance and the ledger, newest first, paged",
  input: creditsQuerySchema, output: () => creditHistorySchema,
}, async ({ caller, query }) => {
  const q = parseInput(creditsQuerySchema(config()), query, "query");
  if (q.orgId) await orgAccess(firestore(), caller, q.orgId, "billing");
  return { body: await creditHistory(firestore(), q.orgId ? orgWallet(q.orgId) : userWallet(targetUser(caller, q.userId)), q) };
});

export const grantCredits = endpoint({
  name: "grantCredits", method: "POST", access: "admin",
  summary: "Grant credits to a user (a negative amount is an adjustment); audited",
  input: grantSchema, output: () => grantResultSchema, statuses: [201, 200], errors: ["NOT_FOUND", "FAILED_PRECONDITION", "ACCOUNT_ERASED"],
}, async ({ caller, body }) => {
  const input = parseInput(grantSchema(config()), body);
  const exists = (uid: string) => adminAuth().getUser(uid).then(() => true, () => false);
  const result = await grant(firestore(), { ...input, userId: input.userId ?? input.orgId!, expiresAt: input.expiresAt ? new Date(input.expiresAt) : undefined, actor: `admin:${caller.uid}`, auditActor: actorOf(caller) }, exists);
  return { status: result.replayed ? 200 : 201, body: result };
});
