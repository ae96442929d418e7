// A user's money as the allocation sees it: the live grants (what remains of each, when it
// expires), the debt, and how far below zero debits may go. Stored on users/{uid} next to
// `credits` (an array, so a write replaces it whole), so the hot create path reads it with the
// user document it already reads: no extra read per commit.
export type GrantSource = "plan" | "pack" | "promo" | "admin";
export const GRANT_SOURCES: readonly GrantSource[] = ["plan", "pack", "promo", "admin"];

export interface LiveGrant {
  id: string;
  source: GrantSource;
  remaining: number;
  /** null: never expires. */
  expiresAtMs: number | null;
  createdAtMs: number;
}

export interface Wallet {
  grants: LiveGrant[];
  /** Credits owed (postpaid usage within creditLimit, or a clawback of spent credits). */
  debt: number;
  creditLimit: number;
  /** A clawback left debt: paid creates wait until it is paid off, whatever the limit. */
  debtBlocks: boolean;
  /** An open payment dispute: paid creates wait until it is won (set by the Stripe module). */
  frozen: boolean;
  /** A grant document to create for a balance that predates grants (see walletOf). */
  legacy: LiveGrant | null;
  /** What clawbacks of spent grants took elsewhere, not yet undone by refunds (see planRefund). */
  shortfalls?: Shortfall[];
}

/**
 * A clawback of a grant that had been spent takes the rest elsewhere: other grants, then debt.
 * Had the spending debits never happened, it would have taken it from the grant itself, so a
 * later refund of such a debit first undoes these draws (last first) instead of reviving the grant.
 */
export interface Shortfall {
  grantId: string;
  /** When the clawback ran: a grant already expired then owed nothing to its debits. */
  atMs: number;
  draws: Draw[];
}

/** One movement of credits between a ledger entry and a grant; `grantId` DEBT is the debt. */
export interface Draw {
  grantId: string;
  amount: number;
}
export const DEBT = "debt";
export const LEGACY_GRANT_ID = "grant-legacy";

export const creditsOf = (w: Pick<Wallet, "grants" | "debt">) => w.grants.reduce((s, g) => s + g.remaining, 0) - w.debt;

const ms = (v: unknown): number | null => {
  if (v == null) return null;
  if (typeof v === "number") return v;
  if (v instanceof Date) return v.getTime();
  const t = v as { toMillis?: () => number };
  return typeof t.toMillis === "function" ? t.toMillis() : null;
};

/**
 * The wallet stored on a user document. A balance written before grants existed (old users,
 * tests and seeds that set `credits` only) is one `admin` grant without expiry holding it, so
 * `credits == Σ remaining − debt` holds from the first moment; its grant document is created by
 * the first write that touches the wallet.
 */
export function walletOf(user: Record<string, unknown> | undefined): Wallet {
  const data = user ?? {};
  const creditLimit = typeof data.creditLimit === "number" ? data.creditLimit : 0;
  const base = { creditLimit, debtBlocks: data.debtBlocks === true, frozen: Array.isArray(data.openDisputes) && data.openDisputes.length > 0 };
  if (!Array.isArray(data.grants)) {
    const credits = typeof data.credits === "number" ? data.credits : 0;
    const legacy: LiveGrant | null = credits > 0 ? { id: LEGACY_GRANT_ID, source: "admin", remaining: credits, expiresAtMs: null, createdAtMs: ms(data.createdAt) ?? 0 } : null;
    return { ...base, grants: legacy ? [legacy] : [], debt: Math.max(0, -credits), legacy };
  }
  const grants = (data.grants as Record<string, unknown>[]).map((g) => ({
    id: String(g.id), source: g.source as GrantSource, remaining: Number(g.remaining),
    expiresAtMs: ms(g.expiresAt), createdAtMs: ms(g.createdAt) ?? 0,
  }));
  const shortfalls = Array.isArray(data.shortfalls) ? (data.shortfalls as Shortfall[]).map((f) => ({ grantId: String(f.grantId), atMs: Number(f.atMs), draws: f.draws.map((d) => ({ grantId: String(d.grantId), amount: Number(d.amount) })) })) : [];
  return { ...base, grants, debt: typeof data.debt === "number" ? data.debt : 0, legacy: null, shortfalls };
}

/** The user-document fields that hold a wallet (and the balance that follows from it). */
export function walletFields(w: Wallet): Record<string, unknown> {
  return {
    credits: creditsOf(w),
    debt: w.debt,
    debtBlocks: w.debt > 0 && w.debtBlocks,
    // The expiry sweep finds users by this (one single-field index), not by scanning grants.
    nextExpiryAt: nextExpiry(w),
    shortfalls: w.shortfalls ?? [],
    grants: w.grants.map((g) => ({
      id: g.id, source: g.source, remaining: g.remaining,
      expiresAt: g.expiresAtMs == null ? null : new Date(g.expiresAtMs), createdAt: new Date(g.createdAtMs),
    })),
  };
}

/** Spend order: soonest expiry first (never-expiring last), then oldest, then id (stable). */
export function spendOrder(a: LiveGrant, b: LiveGrant): number {
  const ea = a.expiresAtMs ?? Infinity;
  const eb = b.expiresAtMs ?? Infinity;
  if (ea !== eb) return ea < eb ? -1 : 1;
  if (a.createdAtMs !== b.createdAtMs) return a.createdAtMs - b.createdAtMs;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export const isExpired = (g: { expiresAtMs: number | null }, nowMs: number) => g.expiresAtMs != null && g.expiresAtMs <= nowMs;

function nextExpiry(w: Wallet): Date | null {
  const times = w.grants.flatMap((g) => (g.expiresAtMs == null ? [] : [g.expiresAtMs]));
  return times.length ? new Date(Math.min(...times)) : null;
}
