// Shared pieces: loading/empty/error states, a status badge, a paged list hook.
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiCallError } from "./api";

export const Loading = ({ what = "Loading" }: { what?: string }) => <p class="muted loading" role="status">{what}…</p>;

export const Empty = ({ children }: { children: ComponentChildren }) => <p class="empty">{children}</p>;

/** The API's own message (it names the field); the code for people who report it. */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const code = error instanceof ApiCallError ? error.code : undefined;
  return (
    <div class="error" role="alert">
      {(error as Error).message ?? String(error)}
      {code && <span class="code">{code}</span>}
    </div>
  );
}

export const StatusBadge = ({ status }: { status: string }) => <span class={`badge status-${status}`}>{status}</span>;

export function Progress({ value }: { value: number }) {
  return (
    <div class="progress" role="progressbar" aria-valuenow={Math.round(value * 100)} aria-valuemin={0} aria-valuemax={100}>
      <div style={{ width: `${Math.round(value * 100)}%` }} />
    </div>
  );
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Pages of a list endpoint: first page on mount (and when `deps` change), "load more" after. */
export function usePaged<T>(fetchPage: (cursor?: string) => Promise<Page<T>>, deps: unknown[]) {
  const [items, setItems] = useState<T[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(async (from?: string) => {
    setBusy(true);
    setError(null);
    try {
      const page = await fetchPage(from);
      setItems((prev) => (from && prev ? [...prev, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }, deps);
  useEffect(() => void load(), [load]);
  return { items, error, busy, reload: () => load(), more: cursor ? () => load(cursor) : null };
}

export function MoreButton({ more, busy }: { more: (() => void) | null; busy: boolean }) {
  if (!more) return null;
  return <button class="secondary" disabled={busy} onClick={more}>{busy ? "Loading…" : "Load more"}</button>;
}
