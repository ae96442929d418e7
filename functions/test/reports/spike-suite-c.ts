// Suite C: a third labelled suite for detectSpike, from a generator unlike A's (named shapes) and
// B's (independent ingredients on a smooth curve). Its seed was fixed before any detector change
// was measured on it, and it is evaluated only after the defaults were settled on A's tune half
// and on B (both of which had been looked at), so it is the one untouched check of overfitting.
// Ingredients, each drawn per series:
// - a four-week multiplicative cycle (month-end batches): the mean swings by up to ±30 %;
// - gamma-Poisson noise with a per-series dispersion drawn from a wide log range (φ 0.001–0.35);
// - saturating growth (a logistic curve) or a steady decline;
// - a user gone missing: two to four weeks of zeros inside the history, then back at their level;
// - several earlier outliers of either sign (an outage halves a week, a batch job multiplies it);
// - spikes with a heavy tail (Pareto, from 3× up to 40×) and bumps from 1.3× to 2.4×.
// Labels come from the true means and noise, by the same rule as A and B (spike-truth.ts).
import { rng } from "../../../test-support/rng";
import { intBetween, labelled, logUniform, uniform, type Event, type LabelledSeries, type Rand } from "./spike-truth";

export const SUITE_C_SEED = 7_704_451;

function heavyTailedEvent(rand: Rand): { event: Event; factor: number } {
  const u = rand();
  if (u < 0.3) return { event: "spike", factor: Math.min(40, 3 * (1 - rand()) ** (-1 / 1.3)) };
  if (u < 0.45) return { event: "bump", factor: uniform(rand, 1.3, 2.4) };
  return { event: "none", factor: 1 };
}

/** True weekly means (history weeks, then the current week) and the names of what shaped them. */
function means(rand: Rand, weeks: number): { m: number[]; tags: string[] } {
  const tags: string[] = [];
  const level = logUniform(rand, 0.5, 8000);
  let curve = (_t: number) => 1;
  const trend = rand();
  if (trend < 0.2) {
    // Logistic growth from `start` of the final level, halfway at week `mid`.
    const [rate, mid] = [uniform(rand, 0.2, 0.8), uniform(rand, 0, weeks + 4)];
    curve = (t) => 1 / (1 + Math.exp(-rate * (t - mid)));
    tags.push("saturating growth");
  } else if (trend < 0.32) {
    const d = uniform(rand, 0.02, 0.1);
    curve = (t) => (1 - d) ** t;
    tags.push("decline");
  }
  let season = (_t: number) => 1;
  if (rand() < 0.35) {
    const [amp, phase] = [uniform(rand, 0.1, 0.3), intBetween(rand, 0, 3)];
    season = (t) => 1 + amp * Math.cos((Math.PI / 2) * (t + phase));
    tags.push("4-week cycle");
  }
  const m = Array.from({ length: weeks + 1 }, (_, t) => level * curve(t) * season(t));
  if (weeks >= 5 && rand() < 0.15) {
    const gap = intBetween(rand, 2, Math.min(4, weeks - 2));
    const start = intBetween(rand, 1, weeks - gap);
    for (let t = start; t < start + gap; t++) m[t] = 0;
    tags.push("missing then back");
  }
  if (weeks >= 4 && rand() < 0.25) {
    for (let k = intBetween(rand, 1, 3); k > 0; k--) {
      const t = intBetween(rand, 0, weeks - 1);
      m[t] *= rand() < 0.3 ? uniform(rand, 0.1, 0.5) : logUniform(rand, 2.5, 15);
    }
    tags.push("earlier outliers");
  }
  if (weeks === 0) tags.push("new");
  else if (weeks <= 4) tags.push("short");
  if (level < 5) tags.push("low counts");
  return { m, tags };
}

/** Suite C: `size` series, each named by the ingredients it has ("plain" when none). */
export function thirdSuite(size = 2000, seed = SUITE_C_SEED): LabelledSeries[] {
  const rand = rng(seed);
  const out: LabelledSeries[] = [];
  for (let i = 0; i < size; i++) {
    // Histories skew long (most series in a report have a few months behind them), some short.
    const weeks = rand() < 0.25 ? intBetween(rand, 0, 4) : intBetween(rand, 5, 12);
    const { m, tags } = means(rand, weeks);
    const dispersion = rand() < 0.6 ? logUniform(rand, 0.001, 0.35) : 0;
    if (dispersion) tags.push("overdispersed");
    const { event, factor } = heavyTailedEvent(rand);
    out.push(labelled(rand, "C", tags.length ? tags.join(", ") : "plain", m, dispersion, event, factor));
  }
  return out;
}
