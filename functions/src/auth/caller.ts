// Who is calling: from a Firebase ID token (Authorization: Bearer) or an API key (X-API-Key).
// Identity never comes from the body; the body may only name a target user, and only admins may.
import type { Auth } from "firebase-admin/auth";
import type { DocumentSnapshot, Firestore } from "firebase-admin/firestore";
import { adminAuth, firestore } from "../shared/firestore";
import { accountErased, isErasing } from "../lifecycle/erased";
import { ApiError } from "../http/errors";
import { log } from "../shared/log";
import type { KeyScope } from "./apiKeys";
import { verifyApiKey, type KeyGrant } from "./apiKeyStore";
import { AccountStateCache, assertIdTokenAccount } from "./accountState";
import { config } from "../config";
import { hasRole, isElevated, roleOf, type Role } from "./roles";

export type { Role } from "./roles";

type Headers = Record<string, string | string[] | undefined>;

export interface Caller {
  uid: string;
  role: Role;
  via: "id-token" | "api-key";
  /** Present when the caller is an API key: its scopes and limits. */
  key?: KeyGrant;
}

export const isAdmin = (c: Caller) => hasRole(c.role, "admin");

/** What caller resolution needs; tests inject a verifier and an account lookup to reach the production branch. */
export interface CallerDeps {
  verifier: Pick<Auth, "verifyIdToken">;
  accounts: AccountStateCache;
  db: Firestore;
}

let accounts: AccountStateCache | undefined;
const accountStates = () => (accounts ??= new AccountStateCache(adminAuth(), config().API_KEY_ACCOUNT_CACHE_SECONDS * 1000));
const defaultDeps = (): CallerDeps => ({ verifier: adminAuth(), accounts: accountStates(), db: firestore() });

export const authenticate = (headers: Headers, now = new Date()): Promise<Caller> => resolveCaller(defaultDeps(), headers, now);

/**
 * The one place every authenticated call passes: identity from the token or key, then the
 * account's state. An account whose erasure has started is refused here, whatever credential is
 * still valid (one point read of users/{uid} per call, exact); a disabled account or a revoked ID
 * token within API_KEY_ACCOUNT_CACHE_SECONDS (accountState.ts).
 */
export async function resolveCaller(deps: CallerDeps, headers: Headers, now = new Date()): Promise<Caller> {
  const authz = header(headers, "authorization");
  const apiKey = header(headers, "x-api-key");
  if (authz) return fromIdToken(deps, authz);
  if (apiKey) {
    // A key always acts as its user with the `user` role, whatever that user's own role is.
    const { uid, key } = await verifyApiKey(deps.db, apiKey.trim(), now, deps.accounts);
    refuseErased(await deps.db.doc(`users/${uid}`).get());
    return { uid, role: "user", via: "api-key", key };
  }
  throw new ApiError("UNAUTHENTICATED", "missing credentials: send 'Authorization: Bearer <ID token>' or 'X-API-Key'");
}

async function fromIdToken(deps: CallerDeps, authz: string): Promise<Caller> {
  const m = /^Bearer\s+(\S+)$/i.exec(authz);
  if (!m) throw new ApiError("UNAUTHENTICATED", "Authorization header must be 'Bearer <Firebase ID token>'");
  let decoded;
  try {
    decoded = await deps.verifier.verifyIdToken(m[1]);
  } catch (err) {
    log.info("ID token rejected", { reason: (err as { code?: string }).code ?? String(err) });
    throw new ApiError("UNAUTHENTICATED", "invalid or expired ID token");
  }
  const claimed = roleOf(decoded.role);
  const [user] = await Promise.all([
    deps.db.doc(`users/${decoded.uid}`).get(),
    // An elevated token is checked against Auth on every call (revocation, which a demotion
    // triggers, and a disabled account); user tokens against the cached account state.
    isElevated(claimed) ? verifyRevoked(deps, m[1], decoded.uid) : assertIdTokenAccount(deps.accounts, decoded.uid, decoded.auth_time),
  ]);
  refuseErased(user);
  if (!isElevated(claimed)) return { uid: decoded.uid, role: claimed, via: "id-token" };
  // The role mirror, which a demotion writes first: the lower of claim and mirror wins, so a
  // demotion whose revocation has not gone through yet still takes effect on the next call.
  const mirrored = roleOf(user.get("role"));
  const role = hasRole(mirrored, claimed) ? claimed : mirrored;
  return { uid: decoded.uid, role, via: "id-token" };
}

function verifyRevoked(deps: CallerDeps, token: string, uid: string): Promise<unknown> {
  return deps.verifier.verifyIdToken(token, true).catch((err) => {
    log.info("elevated ID token revoked", { uid, reason: (err as { code?: string }).code ?? String(err) });
    throw new ApiError("UNAUTHENTICATED", "this ID token was issued before a role change; sign in again");
  });
}

function refuseErased(user: DocumentSnapshot): void {
  if (isErasing(user)) throw accountErased();
}

/** The user an action applies to: the caller, or (admins only) the named user. */
export function targetUser(caller: Caller, requested: string | undefined): string {
  if (!requested || requested === caller.uid) return caller.uid;
  if (!isAdmin(caller)) throw new ApiError("PERMISSION_DENIED", "only an admin may act for another user");
  return requested;
}

/** Role and scope checks an endpoint declares; ID tokens carry no scopes, keys carry no admin role. */
export function authorize(caller: Caller, access: Role, scope: KeyScope | undefined): void {
  if (caller.key) {
    if (access !== "user") throw new ApiError("PERMISSION_DENIED", "API keys cannot call admin endpoints; use an admin's ID token");
    if (!scope || !caller.key.scopes.includes(scope)) {
      throw new ApiError("INSUFFICIENT_SCOPE", `this API key lacks the '${scope ?? "none"}' scope (it has: ${caller.key.scopes.join(", ")})`, { required: scope ?? null, granted: caller.key.scopes });
    }
    return;
  }
  if (!hasRole(caller.role, access)) throw new ApiError("PERMISSION_DENIED", `${access} role required`);
}

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
