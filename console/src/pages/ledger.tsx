// A balance and its ledger, newest first (for the user's own page and an admin's view of a user).
import { useState } from "preact/hooks";
import type { CreditHistoryReply } from "../../../functions/src/ledger/schema";
import { signed, when } from "../lib/format";
import { Empty, ErrorBox, Loading, MoreButton, usePaged } from "../ui";

export function Ledger({ load, version = 0 }: { load: (cursor?: string) => Promise<CreditHistoryReply>; version?: number }) {
  const [balance, setBalance] = useState<number | null>(null);
  const page = usePaged(async (cursor) => {
    const r = await load(cursor);
    setBalance(r.currentCredits);
    return { items: r.transactions, nextCursor: r.nextCursor };
  }, [version]);
  if (page.error && !page.items) return <ErrorBox error={page.error} />;
  if (!page.items) return <Loading what="Loading the ledger" />;
  return (
    <div>
      <p class="big" data-testid="ledger-balance">{balance} credits</p>
      {page.items.length === 0 ? <Empty>No ledger entries.</Empty> : (
        <table class="ledger" data-testid="ledger">
          <thead><tr><th>When</th><th>Type</th><th class="num">Amount</th><th class="num">Balance</th><th>Reason</th></tr></thead>
          <tbody>{page.items.map((t) => (
            <tr data-type={t.type}>
              <td>{when(t.createdAt)}</td><td><span class={`badge type-${t.type}`}>{t.type}</span></td>
              <td class={`num ${t.amount < 0 ? "neg" : "pos"}`}>{signed(t.amount)}</td><td class="num">{t.balanceAfter}</td>
              <td>{t.reason}{t.requestId && <> · <a href={`#/requests/${t.requestId}`}>request</a></>}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
      <ErrorBox error={page.error} />
      <MoreButton more={page.more} busy={page.busy} />
    </div>
  );
}
