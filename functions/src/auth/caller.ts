// Who is calling: from a Firebase ID token (Authorization: Bearer) or an API key (X-API-Key).
// Identity never comes from the body; the body may only name a target user, and only admins may.
import { adminAuth, firestore } from "../shared/firestore";
import { ApiError } from "../http/errors";
import { hashApiKey } from "./apiKeys";
import { log } from "../shared/log";

export type Role = "user" | "admin" | "superadmin";

export interface Caller {
  uid: string;
  role: Role;
  via: "id-token" | "api-key";
}

export const isAdmin = (c: Caller) => c.role === "admin" || c.role === "superadmin";

function roleOf(claim: unknown): Role {
  return claim === "admin" || claim === "superadmin" ? claim : "user";
}

export async function authenticate(headers: Record<string, string | string[] | undefined>): Promise<Caller> {
  const authz = header(headers, "authorization");
  const apiKey = header(headers, "x-api-key");
  if (authz) {
    const m = /^Bearer\s+(\S+)$/i.exec(authz);
    if (!m) throw new ApiError("UNAUTHENTICATED", "Authorization header must be 'Bearer <Firebase ID token>'");
    try {
      const decoded = await adminAuth().verifyIdToken(m[1]);
      return { uid: decoded.uid, role: roleOf(decoded.role), via: "id-token" };
    } catch (err) {
      log.info("ID token rejected", { reason: (err as { code?: string }).code ?? String(err) });
      throw new ApiError("UNAUTHENTICATED", "invalid or expired ID token");
    }
  }
  if (apiKey) {
    const snap = await firestore().doc(`apiKeys/${hashApiKey(apiKey)}`).get();
    if (!snap.exists || snap.get("revokedAt")) throw new ApiError("UNAUTHENTICATED", "invalid or revoked API key");
    return { uid: snap.get("uid"), role: roleOf(snap.get("role")), via: "api-key" };
  }
  throw new ApiError("UNAUTHENTICATED", "missing credentials: send 'Authorization: Bearer <ID token>' or 'X-API-Key'");
}

/** The user an action applies to: the caller, or (admins only) the named user. */
export function targetUser(caller: Caller, requested: string | undefined): string {
  if (!requested || requested === caller.uid) return caller.uid;
  if (!isAdmin(caller)) throw new ApiError("PERMISSION_DENIED", "only an admin may act for another user");
  return requested;
}

export function requireAdmin(caller: Caller): void {
  if (!isAdmin(caller)) throw new ApiError("PERMISSION_DENIED", "admin role required");
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
