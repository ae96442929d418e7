// Whether a caller's Firebase Auth account is still usable: enabled, and (for an ID token) not
// signed out since the token was issued. One Auth lookup per call would double the cost of
// authentication, so each instance remembers an answer for API_KEY_ACCOUNT_CACHE_SECONDS
// (default 30): a disabled account's keys and ID tokens, and ID tokens whose refresh tokens were
// revoked, stop within that long. (Elevated ID tokens are checked against Auth on every call, and
// an erased account is refused on every call from Firestore: see caller.ts.)
import { ApiError } from "../http/errors";
import { log } from "../shared/log";

export interface AccountLookup {
  getUser(uid: string): Promise<{ disabled: boolean; tokensValidAfterTime?: string }>;
}

type State = "active" | "disabled" | "deleted";

export interface AccountState {
  state: State;
  /** ID tokens issued (auth_time) before this instant were revoked; null when never revoked. */
  tokensValidAfterMs: number | null;
}

export class AccountStateCache {
  private readonly entries = new Map<string, AccountState & { until: number }>();
  constructor(private readonly lookup: AccountLookup, private readonly ttlMs: number, private readonly maxEntries = 10_000) {}

  async stateOf(uid: string, nowMs = Date.now()): Promise<State> {
    return (await this.accountOf(uid, nowMs)).state;
  }

  async accountOf(uid: string, nowMs = Date.now()): Promise<AccountState> {
    const hit = this.entries.get(uid);
    if (hit && hit.until > nowMs) return hit;
    const account = await this.fetch(uid);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(uid, { ...account, until: nowMs + this.ttlMs });
    return account;
  }

  private async fetch(uid: string): Promise<AccountState> {
    try {
      const user = await this.lookup.getUser(uid);
      const after = user.tokensValidAfterTime ? Date.parse(user.tokensValidAfterTime) : NaN;
      return { state: user.disabled ? "disabled" : "active", tokensValidAfterMs: Number.isFinite(after) ? after : null };
    } catch (err) {
      if ((err as { code?: string }).code === "auth/user-not-found") return { state: "deleted", tokensValidAfterMs: null };
      log.error("auth.account_lookup_failed", { uid, error: String(err) });
      throw new ApiError("UNAVAILABLE", "could not check the caller's account; retry shortly", { retryAfterSeconds: 2 });
    }
  }
}

export async function assertAccountActive(cache: AccountStateCache, uid: string, keyPrefix: string): Promise<void> {
  const state = await cache.stateOf(uid);
  if (state !== "active") throw new ApiError("UNAUTHENTICATED", `API key ${keyPrefix} belongs to a ${state} account`, { reason: `account-${state}` });
}

/**
 * An ID token is accepted only while its account is enabled and its refresh tokens were not
 * revoked after it was issued (the comparison firebase-admin's checkRevoked makes: auth_time
 * against tokensValidAfterTime, both at one-second precision).
 */
export async function assertIdTokenAccount(cache: AccountStateCache, uid: string, authTimeSec: number): Promise<void> {
  const account = await cache.accountOf(uid);
  if (account.state !== "active") throw new ApiError("UNAUTHENTICATED", `this ID token belongs to a ${account.state} account`, { reason: `account-${account.state}` });
  if (account.tokensValidAfterMs !== null && authTimeSec * 1000 < account.tokensValidAfterMs) {
    throw new ApiError("UNAUTHENTICATED", "this ID token was revoked (signed out everywhere); sign in again", { reason: "token-revoked" });
  }
}
