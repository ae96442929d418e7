// The audit log: who changed roles, keys or credits, what changed, and when. Entries are written
// in the same transaction or batch as the change they describe, so one never exists without the
// other, and they are never updated. Clients cannot read them (firestore.rules): only admins,
// through listAuditLog.
import type { Firestore } from "firebase-admin/firestore";
import { z } from "zod";
import { pageOf, type PageQuery } from "../shared/cursor";

export const AUDIT = "auditLog";

export const AUDIT_ACTIONS = ["role.set", "apiKey.create", "apiKey.revoke", "credits.grant", "user.erase", "plan.set",
  "org.create", "org.member.invite", "org.member.join", "org.member.role", "org.member.remove", "org.budget.set"] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditActor {
  uid: string;
  role: string;
  via: "id-token" | "api-key" | "cli";
}

export interface AuditEntry {
  action: AuditAction;
  actor: AuditActor;
  target: { userId: string; keyId?: string; orgId?: string };
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  reason?: string | null;
}

/** Anything with create(): a Transaction or a WriteBatch. */
interface Creator { create(ref: FirebaseFirestore.DocumentReference, data: FirebaseFirestore.DocumentData): unknown }

/** `id`: a deterministic id (an idempotency record: a second create of it fails the commit). */
export function recordAudit(db: Firestore, writer: Creator, entry: AuditEntry, at: Date, id?: string): string {
  const ref = id ? db.collection(AUDIT).doc(id) : db.collection(AUDIT).doc();
  writer.create(ref, { ...entry, before: plain(entry.before), after: plain(entry.after), reason: entry.reason ?? null, at });
  return ref.id;
}

/** Dates inside before/after become ISO strings: an audit entry reads the same in every client. */
function plain(values: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  if (!values) return null;
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
}

export async function listAudit(db: Firestore, q: PageQuery & { userId?: string }) {
  const base = q.userId ? db.collection(AUDIT).where("target.userId", "==", q.userId) : db.collection(AUDIT);
  const { docs, nextCursor } = await pageOf(base, "at", q);
  const entries = docs.map((d) => ({ id: d.id, ...d.data(), at: (d.get("at") as FirebaseFirestore.Timestamp).toDate().toISOString() }));
  return { entries, nextCursor };
}

export const actorOf = (c: { uid: string; role: string; via: AuditActor["via"] }): AuditActor => ({ uid: c.uid, role: c.role, via: c.via });

/** One entry as listAuditLog answers it. */
export const auditEntrySchema = z.strictObject({
  id: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  actor: z.strictObject({ uid: z.string(), role: z.string(), via: z.enum(["id-token", "api-key", "cli"]) }),
  target: z.strictObject({ userId: z.string(), keyId: z.string().optional(), orgId: z.string().optional() }),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  reason: z.string().nullable(),
  at: z.string().datetime(),
}).meta({ id: "AuditEntry" });

export const auditListSchema = z.strictObject({ entries: z.array(auditEntrySchema), nextCursor: z.string().nullable() });

export type AuditListReply = z.infer<typeof auditListSchema>;
