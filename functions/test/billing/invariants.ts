// The invariants of issue 16, checked over a ledger, the grant documents and the wallet; shared by
// the pure property test and the emulator-backed one.
import { DEBT, type Draw } from "../../src/ledger/grants/wallet";

export interface Entry { id: string; type: string; amount: number; draws?: Draw[]; grantId?: string; balanceAfter: number }
export interface GrantDoc { id: string; amount: number; remaining: number; drawn: number; givenBack: number; expired: number }
export interface WalletView { credits: number; debt: number; creditLimit: number; debtBlocks: boolean; grants: { id: string; remaining: number }[] }

const DRAWING = new Set(["debit", "adjustment", "clawback", "expire", "grant"]);

/** Every violated invariant, as a sentence (empty when all hold). */
export function violations(w: WalletView, entries: Entry[], grants: GrantDoc[]): string[] {
  const out: string[] = [];
  const sum = entries.reduce((s, e) => s + e.amount, 0);
  if (w.credits !== sum) out.push(`credits ${w.credits} != Σ ledger ${sum}`);
  const live = w.grants.reduce((s, g) => s + g.remaining, 0);
  if (w.credits !== live - w.debt) out.push(`credits ${w.credits} != Σ live remaining ${live} − debt ${w.debt}`);
  if (w.credits < -w.creditLimit && !w.debtBlocks) out.push(`credits ${w.credits} below −creditLimit ${-w.creditLimit} without a clawback`);
  const fromLedger = new Map<string, number>();
  for (const e of entries) {
    for (const d of e.draws ?? []) {
      if (d.grantId === DEBT) continue;
      const sign = e.type === "refund" ? 1 : DRAWING.has(e.type) ? -1 : 0;
      fromLedger.set(d.grantId, (fromLedger.get(d.grantId) ?? 0) + sign * d.amount);
    }
  }
  for (const g of grants) {
    if (g.remaining !== g.amount - g.drawn + g.givenBack - g.expired) out.push(`grant ${g.id}: remaining ${g.remaining} != amount − drawn + givenBack − expired`);
    if (g.remaining !== g.amount + (fromLedger.get(g.id) ?? 0)) out.push(`grant ${g.id}: remaining ${g.remaining} not derivable from the ledger (${g.amount} + ${fromLedger.get(g.id) ?? 0})`);
    const held = w.grants.find((x) => x.id === g.id);
    if ((held?.remaining ?? 0) !== g.remaining) out.push(`grant ${g.id}: document says ${g.remaining}, wallet ${held?.remaining ?? 0}`);
  }
  for (const x of w.grants) if (!grants.some((g) => g.id === x.id)) out.push(`wallet grant ${x.id} has no document`);
  return out;
}
