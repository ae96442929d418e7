// Suite D: a fourth labelled suite for the spike detector, written as an honest check that was
// never tuned on. Its seed (SUITE_D_SEED) was fixed when the file was written, before any detector
// was scored on it; the generator was designed without reading or running the detector, and no
// detector figures were looked at while choosing its ingredients or ranges.
//
// It models the weekly usage of an image-generation service (generations or credits per user,
// per model, per deployment). Histories hold only the weeks since the series began, oldest first:
// about a fifth are short (0–4 weeks), the rest have 5–12. Ingredients, each drawn per series:
// - level: log-uniform from 0.3 to 10,000 per week (a hobbyist to a busy deployment);
// - one trend, or none (steady):
//   - "linear growth": +3 % to +20 % of the first week's level each week (a user ramping up);
//   - "compounding growth": 2–12 % a week (a model or deployment catching on);
//   - "campaign": a step up of 1.5–4× some weeks ago that decays back to the level with a
//     half-life of 1–4 weeks (a promotion, a launch post);
//   - "churn": 3–15 % fewer each week (a user drifting away);
// - "level shift up" / "level shift down": a persistent change of the level (1.5–4× or 0.25–0.65×,
//   a plan change, a team joining or leaving) that is at least 2 active history weeks old;
// - "dormant then back": 2–5 weeks of zeros inside the history, then at least one history week
//   back on the curve before the current week;
// - "returning": zeros run from 2–6 weeks back up to the current week, and the current week's true
//   mean is the level from before the absence (the user comes back: normal, not a spike, unless
//   the current-week event multiplies it);
// - "holiday dip": one or two consecutive history weeks at 30–70 % of the level;
// - earlier outliers, one or two history weeks: "batch job" (3–20× the week's mean) and/or
//   "outage" (0–30 % of it);
// - "overdispersed": negative-binomial noise with a per-series dispersion φ, log-uniform
//   0.003–0.3 (about 55 % of series); Poisson otherwise;
// - "new" (no history), "short" (1–4 weeks), "low counts" (current true mean below 5) name the
//   cases where there is little to go on.
// Every change to the mean of the current week follows from something visible in the history
// (the level, the trend, a shift or campaign at least 2 active history weeks old, the level before
// an absence). The only new thing in the current week is its event: a spike (~30 %, truncated
// Pareto with α 1.5 on 3–15×), a quiet bump (~15 %, 1.4–2.4×), or none.
// Labels come from the realized count against the true mean and noise, by the rule shared with
// A, B and C (spike-truth.ts `labelled`/`isTrueSpike`).
import { rng } from "../../../test-support/rng";
import { intBetween, labelled, logUniform, uniform, type Event, type LabelledSeries, type Rand } from "./spike-truth";

export const SUITE_D_SEED = 58_113_907;

/** Every tag a series of suite D can carry in its `shape` (besides "plain"). */
export const SUITE_D_TAGS = [
  "linear growth", "compounding growth", "campaign", "churn",
  "level shift up", "level shift down",
  "dormant then back", "returning",
  "holiday dip", "batch job", "outage",
  "overdispersed", "new", "short", "low counts",
] as const;

/** The current week's event: a spike from a truncated Pareto (α 1.5, 3–15×), a quiet bump, or none. */
function currentWeekEvent(rand: Rand): { event: Event; factor: number } {
  const u = rand();
  if (u < 0.3) {
    const [lo, hi, alpha] = [3, 15, 1.5];
    const factor = lo / (1 - rand() * (1 - (lo / hi) ** alpha)) ** (1 / alpha);
    return { event: "spike", factor };
  }
  if (u < 0.45) return { event: "bump", factor: uniform(rand, 1.4, 2.4) };
  return { event: "none", factor: 1 };
}

/** True weekly means (history weeks, then the current week) and the names of what shaped them. */
function means(rand: Rand, weeks: number): { m: number[]; tags: string[] } {
  const tags: string[] = [];
  const level = logUniform(rand, 0.3, 10_000);

  // Absence first, so that a campaign or a level shift is placed where it can be seen.
  const dormant = new Array<boolean>(weeks).fill(false);
  let returnsFrom = -1; // "returning": the current week takes the mean of this (the last active) week
  if (weeks >= 5 && rand() < 0.12) {
    if (rand() < 0.5) {
      const gap = intBetween(rand, 2, Math.min(5, weeks - 3));
      const start = intBetween(rand, 1, weeks - 1 - gap);
      for (let t = start; t < start + gap; t++) dormant[t] = true;
      tags.push("dormant then back");
    } else {
      const gap = intBetween(rand, 2, Math.min(6, weeks - 2));
      const start = weeks - gap;
      for (let t = start; t < weeks; t++) dormant[t] = true;
      returnsFrom = start - 1;
      tags.push("returning");
    }
  }
  /** Active history weeks at or after week `s`. */
  const activeFrom = (s: number) => dormant.filter((z, t) => t >= s && !z).length;
  /** A random week that has at least two active history weeks from it on, or -1 when none. */
  const visibleStart = (lo: number) => {
    const ok = Array.from({ length: weeks }, (_, t) => t).filter((t) => t >= lo && !dormant[t] && activeFrom(t) >= 2);
    return ok.length ? ok[intBetween(rand, 0, ok.length - 1)] : -1;
  };

  let curve = (_t: number) => 1;
  const trend = rand();
  if (trend < 0.14) {
    const g = uniform(rand, 0.03, 0.2);
    curve = (t) => 1 + g * t;
    tags.push("linear growth");
  } else if (trend < 0.26) {
    const r = uniform(rand, 0.02, 0.12);
    curve = (t) => (1 + r) ** t;
    tags.push("compounding growth");
  } else if (trend < 0.38) {
    const [lift, halfLife] = [uniform(rand, 1.5, 4), uniform(rand, 1, 4)];
    const s = visibleStart(0);
    if (s >= 0) {
      curve = (t) => (t < s ? 1 : 1 + (lift - 1) * 0.5 ** ((t - s) / halfLife));
      tags.push("campaign");
    }
  } else if (trend < 0.5) {
    const d = uniform(rand, 0.03, 0.15);
    curve = (t) => (1 - d) ** t;
    tags.push("churn");
  }
  const base = Array.from({ length: weeks + 1 }, (_, t) => level * curve(t));

  if (weeks >= 4 && rand() < 0.16) {
    const up = rand() < 0.55;
    const factor = up ? logUniform(rand, 1.5, 4) : logUniform(rand, 0.25, 0.65);
    const s = visibleStart(1);
    if (s >= 0) {
      for (let t = s; t <= weeks; t++) base[t] *= factor;
      tags.push(up ? "level shift up" : "level shift down");
    }
  }

  const m = base.map((v, t) => (t < weeks && dormant[t] ? 0 : v));
  if (returnsFrom >= 0) m[weeks] = base[returnsFrom];

  if (weeks >= 3 && rand() < 0.2) {
    const len = rand() < 0.35 ? 2 : 1;
    const t0 = intBetween(rand, 0, weeks - len);
    let hit = false;
    for (let t = t0; t < t0 + len; t++) {
      const f = uniform(rand, 0.3, 0.7);
      if (!dormant[t]) [m[t], hit] = [m[t] * f, true];
    }
    if (hit) tags.push("holiday dip");
  }

  if (weeks >= 3 && rand() < 0.2) {
    for (let k = intBetween(rand, 1, 2); k > 0; k--) {
      const t = intBetween(rand, 0, weeks - 1);
      const batch = rand() < 0.6;
      const f = batch ? logUniform(rand, 3, 20) : uniform(rand, 0, 0.3);
      if (dormant[t]) continue;
      m[t] *= f;
      const tag = batch ? "batch job" : "outage";
      if (!tags.includes(tag)) tags.push(tag);
    }
  }

  if (weeks === 0) tags.push("new");
  else if (weeks <= 4) tags.push("short");
  if (m[weeks] < 5) tags.push("low counts");
  return { m, tags };
}

/** Suite D: `size` series, each named by the ingredients it has ("plain" when none). */
export function fourthSuite(size = 2000, seed = SUITE_D_SEED): LabelledSeries[] {
  const rand = rng(seed);
  const out: LabelledSeries[] = [];
  for (let i = 0; i < size; i++) {
    const weeks = rand() < 0.2 ? intBetween(rand, 0, 4) : intBetween(rand, 5, 12);
    const { m, tags } = means(rand, weeks);
    const dispersion = rand() < 0.55 ? logUniform(rand, 0.003, 0.3) : 0;
    if (dispersion) tags.push("overdispersed");
    const { event, factor } = currentWeekEvent(rand);
    out.push(labelled(rand, "D", tags.length ? tags.join(", ") : "plain", m, dispersion, event, factor));
  }
  return out;
}
