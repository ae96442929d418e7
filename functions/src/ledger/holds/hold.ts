// Escrow holds: what one is. A hold is a block of credits an instance took out of a wallet in one commit
// (a `hold-{holdId}` ledger entry that draws from the grants like a debit) and keeps on its own
// document, so its creates write that document instead of the wallet's. Each spend takes the
// hold's draws in the order the wallet would have spent them, so the debit entry names the grants
// its credits came from and a refund gives them back exactly as for a direct debit. What is left
// goes back to the wallet once (`release-{holdId}`).
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
