// Escrow holds, pure. A hold is a block of credits an instance took out of a wallet in one commit
// (a `hold-{holdId}` ledger entry that draws from the grants like a debit) and keeps on its own
// document, so its creates write that document instead of the wallet's. Each spend takes the
// hold's draws in the order the wallet would have spent them, so the debit entry names the grants
// its credits came from and a refund gives them back exactly as for a direct debit. What is left
// goes back to the wallet once (`release-{holdId}`). Nothing here reads or writes Firestore.
import type { Draw } from "../grants/wallet";

export type HoldState = "open" | "closed";

export interface Hold {
  id: string;
  /** The instance that took it: the only writer of its spends. */
  instance: string;
  reserved: number;
  spent: number;
  /** What is left, per grant, in spend order (Σ amount == reserved − spent while open). */
  draws: Draw[];
  state: HoldState;
  /** After this the sweeper may release it; the owner stops spending a little before. */
  expiresAtMs: number;
}

export const holdEntryId = (holdId: string) => `hold-${holdId}`;
export const releaseEntryId = (holdId: string) => `release-${holdId}`;

export const unspentOf = (h: Pick<Hold, "draws">) => h.draws.reduce((s, d) => s + d.amount, 0);

export type HoldSpend = { ok: true; hold: Hold; draws: Draw[] } | { ok: false; why: "closed" | "expired" | "short"; unspent: number };

/**
 * Takes `amount` from an open, unexpired hold, its draws first in first out. A short hold spends
 * nothing: the create goes to the wallet (a new hold, or the direct path), never into debt here.
 */
export function spendFromHold(h: Hold, amount: number, nowMs: number): HoldSpend {
  const unspent = unspentOf(h);
  if (h.state !== "open") return { ok: false, why: "closed", unspent };
  if (nowMs >= h.expiresAtMs) return { ok: false, why: "expired", unspent };
  if (amount > unspent) return { ok: false, why: "short", unspent };
  const left = h.draws.map((d) => ({ ...d }));
  const draws: Draw[] = [];
  let need = amount;
  for (const d of left) {
    const take = Math.min(d.amount, need);
    if (take <= 0) continue;
    d.amount -= take;
    need -= take;
    draws.push({ grantId: d.grantId, amount: take });
  }
  return { ok: true, hold: { ...h, spent: h.spent + amount, draws: left.filter((d) => d.amount > 0) }, draws };
}

/** Available to spend: the wallet's balance plus what its open holds have not spent. */
export const availableOf = (walletCredits: number, open: readonly Pick<Hold, "draws">[]) => walletCredits + open.reduce((s, h) => s + unspentOf(h), 0);
