// Whether an API key's user still has a usable Firebase Auth account. A key must not outlive its
// user: disabling or deleting the account stops the key. One Auth lookup per key call would
// double the cost of authentication, so each instance remembers an answer for
// API_KEY_ACCOUNT_CACHE_SECONDS (default 30): a disabled account's keys stop within that long.
import { ApiError } from "../http/errors";
import { log } from "../shared/log";

export interface AccountLookup {
  getUser(uid: string): Promise<{ disabled: boolean }>;
}

type State = "active" | "disabled" | "deleted";

export class AccountStateCache {
  private readonly entries = new Map<string, { state: State; until: number }>();
  constructor(private readonly lookup: AccountLookup, private readonly ttlMs: number, private readonly maxEntries = 10_000) {}

  async stateOf(uid: string, nowMs = Date.now()): Promise<State> {
    const hit = this.entries.get(uid);
    if (hit && hit.until > nowMs) return hit.state;
    const state = await this.fetch(uid);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(uid, { state, until: nowMs + this.ttlMs });
    return state;
  }

  private async fetch(uid: string): Promise<State> {
    try {
      return (await this.lookup.getUser(uid)).disabled ? "disabled" : "active";
    } catch (err) {
      if ((err as { code?: string }).code === "auth/user-not-found") return "deleted";
      log.error("apiKey.account_lookup_failed", { uid, error: String(err) });
      throw new ApiError("UNAVAILABLE", "could not check the API key's account; retry shortly", { retryAfterSeconds: 2 });
    }
  }
}

export async function assertAccountActive(cache: AccountStateCache, uid: string, keyPrefix: string): Promise<void> {
  const state = await cache.stateOf(uid);
  if (state !== "active") throw new ApiError("UNAUTHENTICATED", `API key ${keyPrefix} belongs to a ${state} account`, { reason: `account-${state}` });
}
