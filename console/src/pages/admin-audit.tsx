// The audit log: who did what to whom, before and after, and why.
import type { AuditListReply } from "../../../functions/src/audit/audit";
import { when } from "../lib/format";
import { useSession } from "../session";
import { Empty, ErrorBox, Loading, MoreButton, usePaged } from "../ui";

const show = (v: Record<string, unknown> | null) => (v ? Object.entries(v).map(([k, x]) => `${k}: ${JSON.stringify(x)}`).join(", ") : "–");

export function AdminAudit() {
  const s = useSession();
  const page = usePaged(async (cursor) => {
    const r = await s.api.get<AuditListReply>("listAuditLog", { cursor, limit: 30 });
    return { items: r.entries, nextCursor: r.nextCursor };
  }, []);
  return (
    <section>
      <h1>Audit log</h1>
      <ErrorBox error={page.error} />
      {!page.items ? <Loading /> : page.items.length === 0 ? <Empty>Nothing audited yet.</Empty> : (
        <table data-testid="audit">
          <thead><tr><th>When</th><th>Action</th><th>Actor</th><th>Target</th><th>Before</th><th>After</th><th>Reason</th></tr></thead>
          <tbody>{page.items.map((e) => (
            <tr>
              <td>{when(e.at)}</td><td><code>{e.action}</code></td><td>{e.actor.uid} ({e.actor.role}, {e.actor.via})</td>
              <td><a href={`#/admin/users/${encodeURIComponent(e.target.userId)}`}>{e.target.userId}</a>{e.target.keyId && <> · key {e.target.keyId}</>}</td>
              <td>{show(e.before)}</td><td>{show(e.after)}</td><td>{e.reason ?? "–"}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
      <MoreButton more={page.more} busy={page.busy} />
    </section>
  );
}
