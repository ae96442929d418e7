// Role management (superadmins) and the audit log (admins).
import { z } from "zod";
import { docId } from "../http/ids";
import { config, type Config } from "../config";
import { endpoint } from "../http/endpoint";
import { parseInput } from "../http/validate";
import { actorOf, auditListSchema, listAudit } from "../audit/audit";
import { adminAuth, firestore } from "../shared/firestore";
import { pageQuerySchema } from "../requests/schema";
import { changeRole } from "./roleChange";
import { ROLES } from "./roles";

export const roleSchema = z.strictObject({
  userId: docId,
  role: z.enum(ROLES),
  reason: z.string().trim().min(3).max(500),
});

export const roleChangeResultSchema = z.strictObject({
  userId: z.string(),
  before: z.enum(ROLES),
  after: z.enum(ROLES),
  changed: z.boolean(),
  tokensRevoked: z.boolean().meta({ description: "a demotion signs the user out everywhere" }),
});

export const auditQuerySchema = (cfg: Pick<Config, "PAGE_SIZE_DEFAULT" | "PAGE_SIZE_MAX">) => z.strictObject(pageQuerySchema(cfg));

export const setUserRole = endpoint({
  name: "setUserRole", method: "POST", access: "superadmin",
  summary: "Change a user's role (claim, mirror and audit entry); never your own",
  input: () => roleSchema, output: () => roleChangeResultSchema, errors: ["NOT_FOUND", "FAILED_PRECONDITION", "ACCOUNT_ERASED"],
}, async ({ caller, body }) => {
  const input = parseInput(roleSchema, body);
  return { body: await changeRole(firestore(), adminAuth(), actorOf(caller), input) };
});

export const listAuditLog = endpoint({
  name: "listAuditLog", method: "GET", access: "admin",
  summary: "Role changes, key creations and revocations, grants: who, what (before/after), when, why",
  input: auditQuerySchema, output: () => auditListSchema,
}, async ({ query }) => {
  const q = parseInput(auditQuerySchema(config()), query, "query");
  return { body: await listAudit(firestore(), { limit: q.limit, cursor: q.cursor, userId: q.userId }) };
});
