import { useState } from "preact/hooks";
import { signInWithEmailAndPassword, type Auth } from "firebase/auth";
import { ErrorBox } from "../ui";

export function SignIn({ auth }: { auth: Auth }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signInWithEmailAndPassword(auth, email, password);
    } catch (err) {
      setError(new Error(authMessage((err as { code?: string }).code)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card signin" onSubmit={submit}>
      <h1>imagegen console</h1>
      <label>Email <input name="email" type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} /></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} /></label>
      <ErrorBox error={error} />
      <button type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
      <p class="muted">API reference: <a href="/docs/">/docs</a></p>
    </form>
  );
}

function authMessage(code: string | undefined): string {
  if (code === "auth/invalid-credential" || code === "auth/wrong-password" || code === "auth/user-not-found") return "wrong email or password";
  if (code === "auth/too-many-requests") return "too many attempts; try again later";
  return `sign-in failed (${code ?? "unknown error"})`;
}
