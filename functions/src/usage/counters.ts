// Pure: what one commit adds to the daily usage counter of one wallet (a user's or an organisation's). A commit may carry several
// requests of different models and keys (the group commit), so the parts are summed per model
// and per key here, and the caller writes one merge with increments: concurrent commits add up.

/** The figures every usage row has. GPU time is counted in integer milliseconds so sums stay exact. */
export interface UsageFigures {
  requests: number;
  images: number;
  creditsDebited: number;
  creditsRefunded: number;
  gpuMs: number;
}

export const FIGURES: readonly (keyof UsageFigures)[] = ["requests", "images", "creditsDebited", "creditsRefunded", "gpuMs"];

/** One movement to count: its figures and what it is counted under. */
export interface UsagePart extends Partial<UsageFigures> {
  /** Catalog model id, or `train` for a custom-model training run. */
  modelId?: string | null;
  /** The API key that created the job; null/absent = signed in (console or ID token). */
  keyId?: string | null;
  /** On an organisation's wallet: the member who made the job (absent on a user's own wallet). */
  memberId?: string | null;
}

/** The map key of jobs made without an API key (a Firestore map key cannot be null). */
export const NO_KEY = "-";
export const TRAINING_MODEL = "train";

export interface DailyIncrements {
  totals: Partial<UsageFigures>;
  byModel: Record<string, Partial<UsageFigures>>;
  byKey: Record<string, Partial<UsageFigures>>;
  byMember: Record<string, Partial<UsageFigures>>;
}

/** Sums the parts into totals and per-model / per-key figures; zero figures are left out. */
export function dailyIncrements(parts: readonly UsagePart[]): DailyIncrements {
  const out: DailyIncrements = { totals: {}, byModel: {}, byKey: {}, byMember: {} };
  for (const part of parts) {
    const model = part.modelId ?? "unknown";
    const key = part.keyId ?? NO_KEY;
    for (const f of FIGURES) {
      const v = part[f];
      if (!v) continue;
      add(out.totals, f, v);
      add((out.byModel[model] ??= {}), f, v);
      add((out.byKey[key] ??= {}), f, v);
      if (part.memberId) add((out.byMember[part.memberId] ??= {}), f, v);
    }
  }
  for (const group of [out.byModel, out.byKey, out.byMember]) for (const k of Object.keys(group)) if (!Object.keys(group[k]).length) delete group[k];
  return out;
}

function add(target: Partial<UsageFigures>, f: keyof UsageFigures, v: number): void {
  target[f] = (target[f] ?? 0) + v;
}

/** Seconds as counted (integer ms), for a request's `gpuSeconds`. */
export const gpuMsOf = (seconds: unknown): number => (typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : 0);
