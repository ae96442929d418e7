// Admins look users up: role, balance, when they joined. Newest first, paged.
import { z } from "zod";
import { config } from "../config";
import { endpoint } from "../http/endpoint";
import { parseInput } from "../http/validate";
import { ROLES } from "../auth/roles";
import { firestore } from "../shared/firestore";
import { pageOf } from "../shared/cursor";
import { pageQuerySchema } from "../requests/schema";

const iso = (t: FirebaseFirestore.Timestamp | undefined) => t?.toDate().toISOString() ?? null;

export const listUsers = endpoint({ name: "listUsers", method: "GET", access: "admin" }, async ({ query }) => {
  const { limit, cursor } = pageQuerySchema(config());
  const q = parseInput(z.strictObject({ limit, cursor, role: z.enum(ROLES).optional() }), query, "query");
  const users = firestore().collection("users");
  const { docs, nextCursor } = await pageOf(q.role ? users.where("role", "==", q.role) : users, "createdAt", q);
  return {
    body: {
      users: docs.map((d) => ({ userId: d.id, email: d.get("email") ?? null, role: d.get("role") ?? "user", credits: d.get("credits") ?? 0, createdAt: iso(d.get("createdAt")), updatedAt: iso(d.get("updatedAt")) })),
      nextCursor,
    },
  };
});
