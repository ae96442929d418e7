// A per-user cap on paid creates per minute, kept on the user document that the create
// transaction already reads and writes: no extra reads, no shared hot document. It stops a
// runaway client from spending a whole balance in seconds; it is not a fairness scheduler.
export interface CreateWindow {
  startMs: number;
  count: number;
}

export type RateDecision =
  | { allowed: true; next: CreateWindow }
  | { allowed: false; retryAfterSeconds: number };

const WINDOW_MS = 60_000;

export function admitCreate(current: CreateWindow | undefined, nowMs: number, perMinute: number): RateDecision {
  const fresh = !current || nowMs - current.startMs >= WINDOW_MS || nowMs < current.startMs;
  const window = fresh ? { startMs: nowMs, count: 0 } : current;
  if (window.count >= perMinute) {
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.startMs + WINDOW_MS - nowMs) / 1000)) };
  }
  return { allowed: true, next: { startMs: window.startMs, count: window.count + 1 } };
}
