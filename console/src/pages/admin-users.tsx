// Users with role and balance. The API pages by join date and filters by role; the search box
// narrows the loaded rows by email or id (load more to search further).
import { useState } from "preact/hooks";
import type { UserListReply } from "../../../functions/src/users/http";
import { when } from "../lib/format";
import { useSession } from "../session";
import { Empty, ErrorBox, Loading, MoreButton, usePaged } from "../ui";

export function AdminUsers() {
  const s = useSession();
  const [role, setRole] = useState("");
  const [search, setSearch] = useState("");
  const page = usePaged(async (cursor) => {
    const r = await s.api.get<UserListReply>("listUsers", { cursor, role, limit: 50 });
    return { items: r.users, nextCursor: r.nextCursor };
  }, [role]);
  const needle = search.trim().toLowerCase();
  const rows = (page.items ?? []).filter((u) => !needle || u.userId.toLowerCase().includes(needle) || (u.email ?? "").toLowerCase().includes(needle));
  return (
    <section>
      <h1>Users</h1>
      <div class="row">
        <label>Search <input name="search" placeholder="email or user id" value={search} onInput={(e) => setSearch(e.currentTarget.value)} /></label>
        <label>Role <select name="role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          <option value="">any</option><option value="user">user</option><option value="admin">admin</option><option value="superadmin">superadmin</option>
        </select></label>
      </div>
      <ErrorBox error={page.error} />
      {!page.items ? <Loading what="Loading users" /> : rows.length === 0 ? <Empty>No users match.</Empty> : (
        <table data-testid="users">
          <thead><tr><th>Email</th><th>User id</th><th>Role</th><th class="num">Credits</th><th>Joined</th></tr></thead>
          <tbody>{rows.map((u) => (
            <tr data-user={u.userId}>
              <td><a href={`#/admin/users/${encodeURIComponent(u.userId)}`}>{u.email ?? "(no email)"}</a></td>
              <td><code>{u.userId}</code></td><td><span class={`badge role-${u.role}`}>{u.role}</span></td>
              <td class="num" data-testid="user-credits">{u.credits}</td><td>{when(u.createdAt)}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
      <MoreButton more={page.more} busy={page.busy} />
    </section>
  );
}
