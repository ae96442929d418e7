// Small display helpers (pure).
export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "–");

export const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

export const percent = (x: number) => `${Math.round(x * 100)}%`;

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Firestore Timestamp or ISO string → ISO string. */
export function isoOf(t: unknown): string | null {
  if (!t) return null;
  if (typeof t === "string") return t;
  const ts = t as { toDate?: () => Date };
  return ts.toDate ? ts.toDate().toISOString() : null;
}
