// The signed-in user's own API keys (capped by their plan; the secret shown once).
import { ApiKeys } from "../admin-keys";

export function MyKeys() {
  return (
    <section>
      <h1>API keys</h1>
      <p class="muted">Keys act as you with the scopes you give them; their rate and daily quota are capped by your plan. Send one as <code>X-API-Key</code>.</p>
      <ApiKeys />
    </section>
  );
}
