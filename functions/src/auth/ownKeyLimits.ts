// Pure: what a user may ask for when making an API key for themselves. The plan caps each key's
// rate and daily quota and the number of live keys (`plans/{id}.keyLimits`); a key asked for
// without limits gets the caps, one asking for more is refused naming the cap.
import { ApiError } from "../http/errors";
import type { PlanDef } from "../billing/catalog";

export interface KeyCaps { ratePerMinute: number; dailyQuota: number | null; maxKeys: number }

export const DEFAULT_MAX_KEYS = 5;

export function keyCapsOf(plan: Pick<PlanDef, "ratePerMinute" | "keyLimits">): KeyCaps {
  const l = plan.keyLimits ?? {};
  return { ratePerMinute: Math.min(l.ratePerMinute ?? plan.ratePerMinute, plan.ratePerMinute), dailyQuota: l.dailyQuota ?? null, maxKeys: l.maxKeys ?? DEFAULT_MAX_KEYS };
}

export interface AskedLimits { ratePerMinute: number | null; dailyQuota: number | null; maxConcurrentCreates: number | null }

/** The limits the new key gets, or the refusal: over a cap (400) or no key left under the plan (409). */
export function ownKeyLimits(asked: AskedLimits, caps: KeyCaps, liveKeys: number, planId: string, concurrencyCap: number): AskedLimits {
  if (liveKeys >= caps.maxKeys) {
    throw new ApiError("FAILED_PRECONDITION", `the ${planId} plan allows ${caps.maxKeys} live API keys and you have ${liveKeys}; revoke one first`, { maxKeys: caps.maxKeys, liveKeys });
  }
  const over = (field: string, cap: number) => new ApiError("INVALID_ARGUMENT", `${field}: at most ${cap} on the ${planId} plan`, { fields: [{ path: field, message: `at most ${cap}` }] });
  if (asked.ratePerMinute !== null && asked.ratePerMinute > caps.ratePerMinute) throw over("ratePerMinute", caps.ratePerMinute);
  if (asked.dailyQuota !== null && caps.dailyQuota !== null && asked.dailyQuota > caps.dailyQuota) throw over("dailyQuota", caps.dailyQuota);
  if (asked.maxConcurrentCreates !== null && asked.maxConcurrentCreates > concurrencyCap) throw over("maxConcurrentCreates", concurrencyCap);
  return { ratePerMinute: asked.ratePerMinute ?? caps.ratePerMinute, dailyQuota: asked.dailyQuota ?? caps.dailyQuota, maxConcurrentCreates: asked.maxConcurrentCreates };
}

/** A key counts against maxKeys until revoked or expired. */
export const isLiveKey = (k: { revokedAt: Date | null; expiresAt: Date | null }, now: Date) => !k.revokedAt && (!k.expiresAt || k.expiresAt.getTime() > now.getTime());
