// One user for an admin: balance and ledger, grant credits, requests, API keys, and (for a
// superadmin) the role. Every action is the API's; its refusals are shown as it words them.
import { useState } from "preact/hooks";
import type { CreditHistoryReply } from "../../../functions/src/ledger/schema";
import type { RequestListReply } from "../../../functions/src/requests/schema";
import { when } from "../lib/format";
import { useSession } from "../session";
import { Empty, ErrorBox, Loading, MoreButton, StatusBadge, usePaged } from "../ui";
import { ApiKeys } from "./admin-keys";
import { Ledger } from "./ledger";

export function AdminUser({ uid }: { uid: string }) {
  const s = useSession();
  const [version, setVersion] = useState(0);
  return (
    <section>
      <h1>User <code>{uid}</code></h1>
      <div class="columns">
        <div class="card"><h2>Credits</h2>
          <Ledger version={version} load={(cursor) => s.api.get<CreditHistoryReply>("getUserCredits", { userId: uid, cursor, limit: 10 })} />
          <GrantForm uid={uid} done={() => setVersion((v) => v + 1)} />
        </div>
        <div class="card"><h2>Requests</h2><UserRequests uid={uid} /></div>
      </div>
      <div class="card"><h2>API keys</h2><ApiKeys uid={uid} /></div>
      {s.role === "superadmin" && <div class="card"><h2>Role</h2><RoleForm uid={uid} /></div>}
    </section>
  );
}

function GrantForm({ uid, done }: { uid: string; done: () => void }) {
  const s = useSession();
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setResult(null);
    try {
      const r = await s.api.post<{ currentCredits: number; amount: number }>("grantCredits", { userId: uid, amount: Number(amount), reason });
      setResult(`granted ${r.amount}; balance now ${r.currentCredits}`);
      setAmount("");
      setReason("");
      done();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="inline" onSubmit={submit} data-testid="grant-form">
      <h3>Grant credits</h3>
      <label>Amount <input name="amount" type="number" step={1} value={amount} onInput={(e) => setAmount(e.currentTarget.value)} /></label>
      <label>Reason <input name="reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} /></label>
      <button type="submit">Grant</button>
      {result && <p class="ok" role="status">{result}</p>}
      <ErrorBox error={error} />
    </form>
  );
}

function UserRequests({ uid }: { uid: string }) {
  const s = useSession();
  const page = usePaged(async (cursor) => {
    const r = await s.api.get<RequestListReply>("listGenerationRequests", { userId: uid, cursor, limit: 10 });
    return { items: r.requests, nextCursor: r.nextCursor };
  }, [uid]);
  if (!page.items) return page.error ? <ErrorBox error={page.error} /> : <Loading />;
  if (page.items.length === 0) return <Empty>No requests.</Empty>;
  return (
    <div>
      <table><tbody>{page.items.map((r) => (
        <tr><td><a href={`#/requests/${r.id}`}><code>{r.id.slice(0, 10)}…</code></a></td><td><StatusBadge status={r.status} /></td><td>{r.model} {r.size} ×{r.numImages}</td><td class="num">{r.cost} cr</td><td>{when(r.createdAt)}</td></tr>
      ))}</tbody></table>
      <MoreButton more={page.more} busy={page.busy} />
    </div>
  );
}

function RoleForm({ uid }: { uid: string }) {
  const s = useSession();
  const [role, setRole] = useState("user");
  const [reason, setReason] = useState("");
  const [msg, setMsg] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await s.api.post<{ before: string; after: string; changed: boolean }>("setUserRole", { userId: uid, role, reason });
      setMsg(r.changed ? `role ${r.before} → ${r.after}` : `already ${r.after}`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="inline" onSubmit={submit}>
      <label>Role <select value={role} onChange={(e) => setRole(e.currentTarget.value)}><option>user</option><option>admin</option><option>superadmin</option></select></label>
      <label>Reason <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} /></label>
      <button type="submit">Set role</button>
      {msg && <p class="ok">{msg}</p>}
      <ErrorBox error={error} />
    </form>
  );
}
