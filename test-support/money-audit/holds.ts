// The money audit's rules for escrow holds (a hot wallet's instances spend from blocks of credits
// moved out of the wallet; functions/src/ledger/holds). A `hold-{holdId}` entry moves credits
// from the wallet into hold `holdId`, drawing from grants; debits that name the hold spend from
// it (their balanceAfter is the hold's); one `release-{holdId}` entry returns what was left (an
// expired grant's share forfeited). So the wallet's balance is the sum of the entries that moved
// it (all but the debits from holds), and conservation is: wallet credits + what open holds have
// not spent == Σ of what the owner gained and spent (grants, debits, refunds, expiries,
// clawbacks, adjustments, forfeits).
import type { AuditDraw, AuditEntry } from "./checks";

export interface AuditHold {
  id: string;
  reserved: number;
  spent: number;
  unspent: number;
  state: string;
  returned?: number;
  forfeited?: number;
}

/** A debit spent from a hold: it did not move the wallet's balance. */
export const fromHold = (e: AuditEntry) => e.type === "debit" && !!e.holdId;
/** Entries that moved the wallet document's balance. */
export const walletMoves = (entries: readonly AuditEntry[]) => entries.filter((e) => !fromHold(e));

const sumDraws = (d: readonly AuditDraw[] | undefined) => (d ?? []).reduce((s, x) => s + x.amount, 0);

/** What the owner gained and spent: every entry but the moves between wallet and holds, less forfeits. */
export function economicSum(entries: readonly AuditEntry[]): number {
  return entries.reduce((s, e) => (e.type === "hold" ? s : e.type === "release" ? s - sumDraws(e.forfeited) : s + e.amount), 0);
}

export function auditHolds(credits: number, entries: readonly AuditEntry[], holds: readonly AuditHold[], v: (s: string) => void): void {
  const byHold = new Map<string, AuditEntry[]>();
  for (const e of entries) if (e.holdId) byHold.set(e.holdId, [...(byHold.get(e.holdId) ?? []), e]);
  const docs = new Map(holds.map((h) => [h.id, h]));
  let openUnspent = 0;
  for (const id of new Set([...byHold.keys(), ...docs.keys()])) {
    const h = docs.get(id);
    const list = byHold.get(id) ?? [];
    const taken = list.filter((e) => e.type === "hold");
    const releases = list.filter((e) => e.type === "release");
    const debits = list.filter(fromHold);
    if (!h) { v(`hold ${id}: entries [${list.map((e) => e.id).join(", ")}] name it, but it has no document`); continue; }
    if (taken.length !== 1) { v(`hold ${id}: ${taken.length} hold entries, expected 1`); continue; }
    const reserved = -taken[0].amount;
    const spent = -debits.reduce((s, e) => s + e.amount, 0);
    if (h.reserved !== reserved) v(`hold ${id}: document reserved ${h.reserved} != ${reserved} its hold entry moved`);
    if (h.spent !== spent) v(`hold ${id}: document spent ${h.spent} != ${spent} from ${debits.length} debits that name it`);
    if (reserved - spent < 0) v(`hold ${id}: ${spent} spent from ${reserved} held (overspent)`);
    runningHold(id, reserved, debits, v);
    if (h.state === "open") {
      if (releases.length) v(`hold ${id}: open, yet released by [${releases.map((e) => e.id).join(", ")}]`);
      if (h.unspent !== reserved - spent) v(`hold ${id}: open with unspent ${h.unspent} != held ${reserved} − spent ${spent}`);
      openUnspent += reserved - spent;
      continue;
    }
    if (releases.length !== 1) { v(`hold ${id}: closed with ${releases.length} release entries, expected 1`); continue; }
    const back = releases[0].amount + sumDraws(releases[0].forfeited);
    if (back !== reserved - spent) v(`hold ${id}: release returned ${releases[0].amount} + forfeited ${sumDraws(releases[0].forfeited)} != unspent ${reserved - spent} (a credit vanished or appeared)`);
    if (h.unspent !== 0) v(`hold ${id}: closed with unspent ${h.unspent}`);
  }
  const economic = economicSum(entries);
  if (credits + openUnspent !== economic) v(`conservation: credits ${credits} + open holds' unspent ${openUnspent} != Σ gained and spent ${economic}`);
}

/** Debits from a hold, in commit order: each balanceAfter is what the hold had left after it. */
function runningHold(id: string, reserved: number, debits: AuditEntry[], v: (s: string) => void) {
  const commits = new Map<number, AuditEntry[]>();
  for (const e of debits) commits.set(e.commitUs, [...(commits.get(e.commitUs) ?? []), e]);
  let left = reserved;
  for (const t of [...commits.keys()].sort((a, b) => a - b)) {
    // Within one commit the debits were taken one after another: highest balanceAfter first.
    const group = [...commits.get(t)!].sort((a, b) => (b.balanceAfter ?? 0) - (a.balanceAfter ?? 0));
    for (const e of group) {
      if (e.balanceAfter !== left + e.amount) v(`hold ${id}: debit ${e.id} balanceAfter ${e.balanceAfter} != ${left} left in the hold + ${e.amount}`);
      left += e.amount;
    }
  }
}
