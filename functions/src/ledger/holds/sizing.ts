// How much an instance holds for an account, from what it saw of the account's recent creates.
// A quiet account holds nothing (its creates keep the direct path: one commit, on the wallet);
// a hot one holds about `horizonMs` of its recent spend rate, so the wallet is written about once
// per horizon per instance, and what is returned on idle or expiry stays small.
export interface SizingPolicy {
  /** Creates seen within `windowMs` before the account counts as hot on this instance. */
  hotCreates: number;
  windowMs: number;
  /** Credits held cover about this long at the recent rate. */
  horizonMs: number;
  /** Never more than this many credits in one hold (bounds what a dead instance locks up). */
  maxCredits: number;
}

export const DEFAULT_SIZING: SizingPolicy = { hotCreates: 8, windowMs: 1_000, horizonMs: 5_000, maxCredits: 2_000 };

/** Per instance, per account: the times (ms) of recent creates and the credits they cost. */
export class RateMeter {
  private seen = new Map<string, { atMs: number; credits: number }[]>();
  constructor(private readonly policy: SizingPolicy = DEFAULT_SIZING) {}

  record(account: string, atMs: number, credits: number): void {
    const recent = this.recent(account, atMs);
    recent.push({ atMs, credits });
    this.seen.set(account, recent);
  }

  /** Credits to hold now: 0 while the account is quiet here. */
  holdSize(account: string, nowMs: number, nextCost: number): number {
    return holdSizeFor(this.recent(account, nowMs), nextCost, this.policy);
  }

  private recent(account: string, nowMs: number) {
    const list = (this.seen.get(account) ?? []).filter((x) => nowMs - x.atMs < this.policy.windowMs);
    if (list.length) this.seen.set(account, list);
    else this.seen.delete(account);
    return list;
  }
}

/** Pure: the hold for a window of recent creates; at least the next create's cost once hot. */
export function holdSizeFor(recent: readonly { credits: number }[], nextCost: number, p: SizingPolicy): number {
  if (recent.length < p.hotCreates) return 0;
  const perMs = recent.reduce((s, x) => s + x.credits, 0) / p.windowMs;
  return Math.min(p.maxCredits, Math.max(nextCost, Math.ceil(perMs * p.horizonMs)));
}
