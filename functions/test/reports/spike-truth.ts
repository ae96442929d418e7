// Ground truth for the spike-detection suites: samplers for weekly counts and the rule that labels
// a week a spike. The label is computed from what generated the series (its true expected level
// and noise), never from what a detector could estimate, so a detector is scored against the
// truth and not against itself.
import { logGamma, logUpperTail } from "../../src/reports/tail";

/**
 * The labelling rule (issue 13): the current week is a spike iff it is
 * - at least 10 events,
 * - at least 2.5× the true expected level of the week, and
 * - implausible under the series' own noise: P(X >= current) < 0.001 for X drawn from the week's
 *   true distribution (Poisson, or negative binomial for overdispersed series).
 * A series with no earlier week is new, never a spike; a series whose true level is 0 (zeros,
 * then a burst) spikes on any week of 10 or more.
 */
export const LABEL = { minCount: 10, minRatio: 2.5, maxTail: 0.001 };

export function isTrueSpike(historyLength: number, current: number, mean: number, dispersion: number): boolean {
  if (historyLength === 0 || current < LABEL.minCount) return false;
  if (mean <= 0) return true;
  return current >= LABEL.minRatio * mean && logUpperTail(current, mean, dispersion) < Math.log(LABEL.maxTail);
}

export type Rand = () => number;

export const uniform = (rand: Rand, lo: number, hi: number) => lo + (hi - lo) * rand();
export const logUniform = (rand: Rand, lo: number, hi: number) => Math.exp(uniform(rand, Math.log(lo), Math.log(hi)));
export const intBetween = (rand: Rand, lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
export const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

export function normal(rand: Rand): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/**
 * Poisson: multiplication of uniforms below 10; above, Hörmann's transformed rejection (PTRS,
 * "The transformed rejection method for generating Poisson random variables", 1993), exact and
 * O(1) per draw.
 */
export function poisson(rand: Rand, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda < 10) {
    let k = 0;
    const limit = Math.exp(-lambda);
    for (let p = rand(); p > limit; p *= rand()) k++;
    return k;
  }
  const b = 0.931 + 2.53 * Math.sqrt(lambda);
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rand() - 0.5;
    const v = rand();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * Math.log(lambda) - logGamma(k + 1)) return k;
  }
}

/** Gamma(shape, scale 1) by Marsaglia and Tsang; shapes below 1 by the U^(1/shape) boost. */
export function gamma(rand: Rand, shape: number): number {
  if (shape < 1) return gamma(rand, shape + 1) * Math.pow(1 - rand(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal(rand);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = 1 - rand();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A weekly count with mean `mean`: Poisson when dispersion is 0, else negative binomial (variance mean + dispersion·mean²). */
export function count(rand: Rand, mean: number, dispersion: number): number {
  if (mean <= 0) return 0;
  if (dispersion <= 0) return poisson(rand, mean);
  const shape = 1 / dispersion;
  return poisson(rand, mean * (gamma(rand, shape) / shape));
}

/** What happens in the current week on top of the series' own level. */
export type Event = "none" | "bump" | "spike";

export interface LabelledSeries {
  suite: string;
  shape: string;
  event: Event;
  history: number[];
  current: number;
  /** True expected level and dispersion of the current week (before the event). */
  mean: number;
  dispersion: number;
  spike: boolean;
}

/**
 * Builds one labelled case from a series' true weekly means (history weeks then the current
 * week), its dispersion and the current week's event factor.
 */
export function labelled(rand: Rand, suite: string, shape: string, means: number[], dispersion: number, event: Event, factor: number): LabelledSeries {
  const history = means.slice(0, -1).map((m) => count(rand, m, dispersion));
  const mean = means[means.length - 1];
  const current = count(rand, mean * factor, dispersion);
  return { suite, shape, event, history, current, mean, dispersion, spike: isTrueSpike(history.length, current, mean, dispersion) };
}
