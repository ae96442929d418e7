// Admins look users up: role, balance, when they joined. Newest first, paged.
import { z } from "zod";
import { config, type Config } from "../config";
import { endpoint } from "../http/endpoint";
import { parseInput } from "../http/validate";
import { ROLES } from "../auth/roles";
import { firestore } from "../shared/firestore";
import { pageOf } from "../shared/cursor";
import { nextCursorSchema, pageQuerySchema } from "../requests/schema";

const iso = (t: FirebaseFirestore.Timestamp | undefined) => t?.toDate().toISOString() ?? null;

export const listUsersQuerySchema = (cfg: Pick<Config, "PAGE_SIZE_DEFAULT" | "PAGE_SIZE_MAX">) => {
  const { limit, cursor } = pageQuerySchema(cfg);
  return z.strictObject({ limit, cursor, role: z.enum(ROLES).optional() });
};

export const userRowSchema = z.strictObject({
  userId: z.string(),
  email: z.string().nullable(),
  role: z.enum(ROLES),
  credits: z.number().int(),
  createdAt: z.string().datetime().nullable(),
  updatedAt: z.string().datetime().nullable(),
}).meta({ id: "User" });

export const userListSchema = z.strictObject({ users: z.array(userRowSchema), nextCursor: nextCursorSchema });

export const listUsers = endpoint({
  name: "listUsers", method: "GET", access: "admin",
  summary: "Users with role and balance, newest first, paged",
  input: listUsersQuerySchema, output: () => userListSchema,
}, async ({ query }) => {
  const q = parseInput(listUsersQuerySchema(config()), query, "query");
  const users = firestore().collection("users");
  const { docs, nextCursor } = await pageOf(q.role ? users.where("role", "==", q.role) : users, "createdAt", q);
  return {
    body: {
      users: docs.map((d) => ({ userId: d.id, email: d.get("email") ?? null, role: d.get("role") ?? "user", credits: d.get("credits") ?? 0, createdAt: iso(d.get("createdAt")), updatedAt: iso(d.get("updatedAt")) })),
      nextCursor,
    },
  };
});

export type UserListReply = z.infer<typeof userListSchema>;
