// Role management (superadmins) and the audit log (admins).
import { z } from "zod";
import { docId } from "../http/ids";
import { config } from "../config";
import { endpoint } from "../http/endpoint";
import { parseInput } from "../http/validate";
import { actorOf, listAudit } from "../audit/audit";
import { adminAuth, firestore } from "../shared/firestore";
import { pageQuerySchema } from "../requests/schema";
import { changeRole } from "./roleChange";
import { ROLES } from "./roles";

const roleSchema = z.strictObject({
  userId: docId,
  role: z.enum(ROLES),
  reason: z.string().trim().min(3).max(500),
});

export const setUserRole = endpoint({ name: "setUserRole", method: "POST", access: "superadmin" }, async ({ caller, body }) => {
  const input = parseInput(roleSchema, body);
  return { body: await changeRole(firestore(), adminAuth(), actorOf(caller), input) };
});

export const listAuditLog = endpoint({ name: "listAuditLog", method: "GET", access: "admin" }, async ({ query }) => {
  const q = parseInput(z.strictObject(pageQuerySchema(config())), query, "query");
  return { body: await listAudit(firestore(), { limit: q.limit, cursor: q.cursor, userId: q.userId }) };
});
