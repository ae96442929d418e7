// Limits on paid creates, per principal: a user signing in with an ID token, or an API key.
// The counters live on the principal's own document (users/{uid} or apiKeys/{keyId}), which the
// create transaction already reads, so there is no shared hot document and no extra read for
// ID-token callers. They stop a runaway client from spending a balance in seconds; they are not
// a fairness scheduler.
import { ApiError } from "../http/errors";

export interface CreateWindow {
  startMs: number;
  count: number;
}

export interface DailyUsage {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  count: number;
}

export type Decision<T> =
  | { allowed: true; next: T }
  | { allowed: false; retryAfterSeconds: number };

const WINDOW_MS = 60_000;
const DAY_MS = 86_400_000;

/** A fixed one-minute window that opens at the first create, so a burst is counted exactly. */
export function admitCreate(current: CreateWindow | undefined, nowMs: number, perMinute: number): Decision<CreateWindow> {
  const fresh = !current || nowMs - current.startMs >= WINDOW_MS || nowMs < current.startMs;
  const window = fresh ? { startMs: nowMs, count: 0 } : current;
  if (window.count >= perMinute) {
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.startMs + WINDOW_MS - nowMs) / 1000)) };
  }
  return { allowed: true, next: { startMs: window.startMs, count: window.count + 1 } };
}

export function rateLimited(perMinute: number, retryAfterSeconds: number): ApiError {
  return new ApiError("RATE_LIMITED", `more than ${perMinute} requests in a minute; retry in ${retryAfterSeconds} s`, { retryAfterSeconds, perMinute });
}

export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A per-UTC-day quota; a refused create is told how long until midnight UTC. */
export function admitDaily(current: DailyUsage | undefined, nowMs: number, quota: number): Decision<DailyUsage> {
  const day = utcDay(nowMs);
  const count = current?.day === day ? current.count : 0;
  if (count >= quota) {
    const midnight = Math.floor(nowMs / DAY_MS) * DAY_MS + DAY_MS;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((midnight - nowMs) / 1000)) };
  }
  return { allowed: true, next: { day, count: count + 1 } };
}

export interface PrincipalLimits {
  perMinute: number;
  /** null = no quota. */
  dailyQuota: number | null;
  /** Keep a per-day count even without a quota (API keys: listApiKeys shows it). */
  countDaily: boolean;
}

export interface PrincipalUsage {
  createWindow?: CreateWindow;
  dailyUsage?: DailyUsage;
}

/**
 * One more create for a principal, or the error that refuses it. The daily quota is checked
 * first: when both are exhausted, its Retry-After is the one that is true.
 */
export function admitPrincipal(usage: PrincipalUsage, limits: PrincipalLimits, nowMs: number): PrincipalUsage & { createWindow: CreateWindow } {
  let dailyUsage: DailyUsage | undefined;
  if (limits.countDaily || limits.dailyQuota !== null) {
    const daily = admitDaily(usage.dailyUsage, nowMs, limits.dailyQuota ?? Infinity);
    if (!daily.allowed) {
      throw new ApiError("QUOTA_EXCEEDED", `this API key's daily quota of ${limits.dailyQuota} request${limits.dailyQuota === 1 ? "" : "s"} is used up; it resets at 00:00 UTC, in ${daily.retryAfterSeconds} s`, { retryAfterSeconds: daily.retryAfterSeconds, dailyQuota: limits.dailyQuota });
    }
    dailyUsage = daily.next;
  }
  const rate = admitCreate(usage.createWindow, nowMs, limits.perMinute);
  if (!rate.allowed) {
    throw rateLimited(limits.perMinute, rate.retryAfterSeconds);
  }
  return dailyUsage ? { createWindow: rate.next, dailyUsage } : { createWindow: rate.next };
}
