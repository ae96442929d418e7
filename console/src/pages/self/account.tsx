// The account: the webhook signing secret (rotate), a download of everything the account holds,
// and closing it (after a fresh sign-in, which the API requires).
import { useEffect, useState } from "preact/hooks";
import { EmailAuthProvider, reauthenticateWithCredential, signOut } from "firebase/auth";
import type { ExportPageReply } from "../../../../functions/src/lifecycle/schema";
import { when } from "../../lib/format";
import { go } from "../../router";
import { useSession } from "../../session";
import { ErrorBox } from "../../ui";

interface Secret { secret: string; createdAt: string; rotatedAt: string | null; previousSecretValidUntil: string | null }

export function Account() {
  const s = useSession();
  const [secret, setSecret] = useState<Secret | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [password, setPassword] = useState("");
  useEffect(() => void s.api.get<Secret>("getWebhookSecret").then(setSecret, setError), [s.user.uid]);
  const run = (what: string, fn: () => Promise<void>) => async () => {
    setBusy(what);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const rotate = run("rotate", async () => setSecret(await s.api.post<Secret>("rotateWebhookSecret", {})));
  const exportAll = run("export", async () => {
    const pages: ExportPageReply[] = [];
    let cursor: string | undefined;
    do {
      const page = await s.api.get<ExportPageReply>("exportUserData", { cursor });
      pages.push(page);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([JSON.stringify(pages, null, 2)], { type: "application/json" }));
    a.download = `imagegen-export-${s.user.uid}.json`;
    a.click();
    URL.revokeObjectURL(a.href);
  });
  const close = run("close", async () => {
    // The API erases only with a sign-in of the last few minutes: sign in again first.
    await reauthenticateWithCredential(s.user, EmailAuthProvider.credential(s.user.email ?? "", password));
    await s.user.getIdToken(true);
    await s.api.post("eraseUser", { userId: s.user.uid, reason: "closed by the user in the console" });
    await signOut(s.auth);
    go("");
  });
  return (
    <section>
      <h1>Account</h1>
      <ErrorBox error={error} />
      <div class="card" data-testid="webhook-secret">
        <h2>Webhooks</h2>
        <p>Completion webhooks go to the <code>webhookUrl</code> you give a request, signed with this secret (header <code>X-Imagegen-Signature</code>).</p>
        {secret && <p><code class="secret">{secret.secret}</code> · created {when(secret.createdAt)}{secret.previousSecretValidUntil && <> · the previous one still signs until {when(secret.previousSecretValidUntil)}</>}</p>}
        <button disabled={busy !== null} onClick={rotate}>Rotate secret</button>
      </div>
      <div class="card">
        <h2>Your data</h2>
        <p>Everything the account holds (profile, keys, requests with download links, ledger, webhook deliveries, custom models), as JSON.</p>
        <button data-testid="export" disabled={busy !== null} onClick={exportAll}>{busy === "export" ? "Exporting…" : "Download my data"}</button>
      </div>
      <div class="card">
        <h2>Close account</h2>
        <p>Open work is refunded, keys are revoked, files are deleted and sign-in is disabled. This cannot be undone. Enter your password to confirm.</p>
        <label>Password <input type="password" name="closePassword" value={password} onInput={(e) => setPassword(e.currentTarget.value)} /></label>
        <button class="danger" disabled={busy !== null || !password} onClick={close}>Close my account</button>
      </div>
    </section>
  );
}
