// A user's API keys: create (the key is shown once, with a copy button), list, revoke. Without
// `uid` they are the signed-in user's own (the API caps them by the plan); an admin passes one.
import { useState } from "preact/hooks";
import type { ApiKeyReply, CreatedKeyReply } from "../../../functions/src/auth/apiKeySchemas";
import type { KeyScope } from "../../../functions/src/auth/apiKeys";
import { when } from "../lib/format";
import { useSession } from "../session";
import { Empty, ErrorBox, Loading, usePaged } from "../ui";

export function ApiKeys({ uid }: { uid?: string }) {
  const s = useSession();
  const [version, setVersion] = useState(0);
  const [created, setCreated] = useState<CreatedKeyReply | null>(null);
  const [error, setError] = useState<unknown>(null);
  const page = usePaged(async () => ({ items: (await s.api.get<{ keys: ApiKeyReply[] }>("listApiKeys", { userId: uid })).keys, nextCursor: null }), [uid, version]);
  const revoke = async (keyId: string) => {
    setError(null);
    try {
      await s.api.post("revokeApiKey", { keyId, reason: "revoked in the console" });
      setVersion((v) => v + 1);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div>
      <CreateKeyForm uid={uid} onCreated={(k) => { setCreated(k); setVersion((v) => v + 1); }} />
      {created && <ShownOnce created={created} close={() => setCreated(null)} />}
      <ErrorBox error={error ?? page.error} />
      {!page.items ? <Loading /> : page.items.length === 0 ? <Empty>No API keys.</Empty> : (
        <table data-testid="keys">
          <thead><tr><th>Name</th><th>Prefix</th><th>Scopes</th><th>Limits</th><th>Last used</th><th>State</th><th /></tr></thead>
          <tbody>{page.items.map((k) => (
            <tr data-key={k.keyId}>
              <td>{k.name}</td><td><code>{k.prefix}</code></td><td>{k.scopes.join(", ")}</td>
              <td>{k.ratePerMinute ?? "default"}/min · {k.dailyQuota ?? "∞"}/day ({k.createsToday ?? 0} today)</td>
              <td>{when(k.lastUsedAt)}</td>
              <td data-testid="key-state">{k.revokedAt ? `revoked ${when(k.revokedAt)}` : k.expiresAt && Date.parse(k.expiresAt) < Date.now() ? "expired" : "active"}</td>
              <td>{!k.revokedAt && <button class="danger small" onClick={() => revoke(k.keyId)}>Revoke</button>}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </div>
  );
}

// Typed against the API's scopes, so a new scope cannot be missing here. Defaults as the API's.
const SCOPES: Record<KeyScope, { label: string; byDefault: boolean }> = {
  generate: { label: "generate", byDefault: true },
  read: { label: "read", byDefault: true },
  webhooks: { label: "webhooks", byDefault: false },
};

function CreateKeyForm({ uid, onCreated }: { uid?: string; onCreated: (k: CreatedKeyReply) => void }) {
  const s = useSession();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState(() => Object.fromEntries(Object.entries(SCOPES).map(([k, v]) => [k, v.byDefault])) as Record<KeyScope, boolean>);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const chosen = Object.entries(scopes).filter(([, on]) => on).map(([k]) => k);
      onCreated(await s.api.post<CreatedKeyReply>("createApiKey", { userId: uid, name, scopes: chosen }));
      setName("");
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="inline" onSubmit={submit} data-testid="key-form">
      <label>Name <input name="keyName" value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
      {(Object.keys(SCOPES) as KeyScope[]).map((sc) => (
        <label class="check"><input type="checkbox" checked={scopes[sc]} onChange={(e) => setScopes({ ...scopes, [sc]: e.currentTarget.checked })} /> {SCOPES[sc].label}</label>
      ))}
      <button type="submit">Create key</button>
      <ErrorBox error={error} />
    </form>
  );
}

function ShownOnce({ created, close }: { created: CreatedKeyReply; close: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = () => navigator.clipboard?.writeText(created.key).then(() => setCopied(true), () => setCopied(false));
  return (
    <div class="dialog" role="dialog" aria-label="New API key">
      <p><strong>{created.name}</strong>: {created.note}</p>
      <code class="secret" data-testid="new-key">{created.key}</code>
      <div class="row">
        <button onClick={copy}>{copied ? "Copied" : "Copy"}</button>
        <button class="secondary" onClick={close}>I have stored it</button>
      </div>
    </div>
  );
}
