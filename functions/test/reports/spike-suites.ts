// Two labelled suites of weekly series for detectSpike, built by two different generators with
// different seeds (labels: spike-truth.ts).
// - Suite A (`shapeSuite`) builds a fixed number of series per named shape; it is split in two
//   halves: the detector's defaults were tuned on the "tune" half, and the "held-out" half is
//   what docs/spike-detection.md reports and the quality gate asserts.
// - Suite B (`mixedSuite`) was never used for tuning: each series draws its ingredients (trend,
//   overdispersion, an earlier outlier, a level shift, a zero history) independently, with other
//   ranges and another spike-size distribution, so it checks that the tuning did not overfit A.
// Histories hold only weeks since the series began (no zero-filling), oldest first, as the report
// passes them. A level shift always holds for at least two history weeks: a change seen for one
// week only is indistinguishable from a spike (of that week) and cannot be labelled either way.
import { rng } from "../../../test-support/rng";
import {
  count, intBetween, labelled, logUniform, poisson, uniform,
  type Event, type LabelledSeries, type Rand,
} from "./spike-truth";

export const SUITE_A_SEED = 20261122;
export const SUITE_B_SEED = 20_261_123;
const PER_SHAPE = 400;

/**
 * The current week's event and its factor on the expected level: none, a bump of 1.5–2.4× (which
 * must stay quiet) or a spike of `mix.spikes[0]`–`mix.spikes[1]`× (log-uniform). Labels still come
 * from the realized count: a 3× spike on low counts can land below 2.5×, a 2.4× bump above it.
 */
export interface EventMix {
  bump: number;
  spike: number;
  spikes: [number, number];
}

function drawEvent(rand: Rand, mix: EventMix): { event: Event; factor: number } {
  const u = rand();
  if (u < mix.spike) return { event: "spike", factor: logUniform(rand, mix.spikes[0], mix.spikes[1]) };
  if (u < mix.spike + mix.bump) return { event: "bump", factor: uniform(rand, 1.5, 2.4) };
  return { event: "none", factor: 1 };
}

/** Suite A's events; bumps have a shape of their own besides. */
export const MIX_A: EventMix = { bump: 0.1, spike: 0.35, spikes: [3, 10] };
/** A stress mix: spikes from the 2.5× line itself and bumps in every shape (reported, not gated). */
export const MIX_BOUNDARY: EventMix = { bump: 0.25, spike: 0.3, spikes: [2.5, 10] };
const MIX_B: EventMix = { bump: 0.15, spike: 0.3, spikes: [3, 12] };

type Means = (rand: Rand, weeks: number) => number[];

const flat = (level: number, weeks: number) => Array<number>(weeks + 1).fill(level);

/** Weekly means for `weeks` history weeks plus the current week, per shape of suite A. */
const SHAPES: Record<string, { weeks: [number, number]; dispersion?: (rand: Rand) => number; means: Means; event?: (rand: Rand) => { event: Event; factor: number } }> = {
  "steady Poisson": { weeks: [6, 12], means: (r, n) => flat(logUniform(r, 8, 3000), n) },
  "low counts (λ ≤ 4)": { weeks: [4, 12], means: (r, n) => flat(uniform(r, 0.2, 4), n) },
  "linear growth": {
    weeks: [6, 12],
    means: (r, n) => {
      const [a, g] = [logUniform(r, 10, 1000), uniform(r, 0.03, 0.2)];
      return Array.from({ length: n + 1 }, (_, t) => a * (1 + g * t));
    },
  },
  "compounding growth": {
    weeks: [6, 12],
    means: (r, n) => {
      const [a, g] = [logUniform(r, 10, 1000), uniform(r, 0.03, 0.25)];
      return Array.from({ length: n + 1 }, (_, t) => a * (1 + g) ** t);
    },
  },
  "slow decline": {
    weeks: [6, 12],
    means: (r, n) => {
      const [a, d] = [logUniform(r, 20, 3000), uniform(r, 0.02, 0.08)];
      return Array.from({ length: n + 1 }, (_, t) => a * (1 - d) ** t);
    },
  },
  "overdispersed (negative binomial)": {
    weeks: [6, 12],
    dispersion: (r) => uniform(r, 0.1, 0.4) ** 2,
    means: (r, n) => flat(logUniform(r, 10, 3000), n),
  },
  "earlier outliers": {
    weeks: [6, 12],
    dispersion: (r) => (r() < 0.5 ? 0 : uniform(r, 0.05, 0.15) ** 2),
    means: (r, n) => {
      const m = flat(logUniform(r, 10, 2000), n);
      const outliers = intBetween(r, 1, 2);
      for (let i = 0; i < outliers; i++) m[intBetween(r, 0, n - 1)] *= uniform(r, 3, 8);
      return m;
    },
  },
  "short history (1–5 weeks)": {
    weeks: [1, 5],
    dispersion: (r) => (r() < 0.5 ? 0 : uniform(r, 0.05, 0.15) ** 2),
    means: (r, n) => flat(logUniform(r, 5, 500), n),
  },
  "persistent level shift": {
    weeks: [6, 12],
    means: (r, n) => {
      const level = logUniform(r, 10, 2000);
      const factor = r() < 0.5 ? uniform(r, 1.6, 4) : uniform(r, 0.25, 0.6);
      const held = intBetween(r, 2, n - 3);
      return Array.from({ length: n + 1 }, (_, t) => (t >= n - held ? level * factor : level));
    },
  },
  "1.5–2.4× bumps (quiet)": {
    weeks: [4, 12],
    dispersion: (r) => (r() < 0.5 ? 0 : uniform(r, 0.05, 0.3) ** 2),
    means: (r, n) => {
      const [a, g] = [logUniform(r, 8, 3000), r() < 0.5 ? 0 : uniform(r, 0.02, 0.15)];
      return Array.from({ length: n + 1 }, (_, t) => a * (1 + g) ** t);
    },
    event: (r) => ({ event: "bump", factor: uniform(r, 1.5, 2.4) }),
  },
};

function zeroThenBurst(rand: Rand, suite: string): LabelledSeries {
  const history = Array<number>(intBetween(rand, 2, 12)).fill(0);
  const burst = rand() < 0.6;
  const current = poisson(rand, burst ? logUniform(rand, 10, 300) : uniform(rand, 0.5, 4));
  return { suite, shape: "zero then burst", event: burst ? "spike" : "bump", history, current, mean: 0, dispersion: 0, spike: current >= 10 };
}

function newSeries(rand: Rand, suite: string): LabelledSeries {
  const current = count(rand, logUniform(rand, 1, 500), 0);
  return { suite, shape: "new series (no history)", event: "none", history: [], current, mean: current, dispersion: 0, spike: false };
}

export interface SplitSuite {
  tune: LabelledSeries[];
  heldOut: LabelledSeries[];
}

/** Suite A: PER_SHAPE series per shape; rounds of one series per shape alternate between the halves. */
export function shapeSuite(seed = SUITE_A_SEED, mix = MIX_A): SplitSuite {
  const rand = rng(seed);
  const all: LabelledSeries[] = [];
  for (let i = 0; i < PER_SHAPE; i++) {
    for (const [shape, s] of Object.entries(SHAPES)) {
      const weeks = intBetween(rand, s.weeks[0], s.weeks[1]);
      const { event, factor } = s.event ? s.event(rand) : drawEvent(rand, mix);
      all.push(labelled(rand, "A", shape, s.means(rand, weeks), s.dispersion?.(rand) ?? 0, event, factor));
    }
    all.push(zeroThenBurst(rand, "A"), newSeries(rand, "A"));
  }
  const perRound = all.length / PER_SHAPE;
  const round = (i: number) => Math.floor(i / perRound);
  return { tune: all.filter((_, i) => round(i) % 2 === 0), heldOut: all.filter((_, i) => round(i) % 2 === 1) };
}

/** Suite B: every series mixes independently drawn ingredients; named by the ingredients present. */
export function mixedSuite(size = 2000, seed = SUITE_B_SEED): LabelledSeries[] {
  const rand = rng(seed);
  const out: LabelledSeries[] = [];
  for (let i = 0; i < size; i++) {
    const weeks = intBetween(rand, 0, 12);
    if (weeks > 0 && rand() < 0.06) {
      const c = zeroThenBurst(rand, "B");
      out.push({ ...c, history: c.history.slice(0, weeks) });
      continue;
    }
    const tags: string[] = [];
    const level = logUniform(rand, 0.3, 5000);
    const slope = rand() < 0.4 ? uniform(rand, -0.07, 0.2) : 0;
    const dispersion = rand() < 0.5 ? logUniform(rand, 0.003, 0.2) : 0;
    if (slope) tags.push(slope > 0 ? "growth" : "decline");
    if (dispersion) tags.push("overdispersed");
    const means = Array.from({ length: weeks + 1 }, (_, t) => level * Math.exp(slope * t));
    if (weeks >= 4 && rand() < 0.2) {
      const held = intBetween(rand, 2, weeks - 2);
      const factor = logUniform(rand, 0.3, 4);
      for (let t = weeks - held; t <= weeks; t++) means[t] *= factor;
      tags.push("level shift");
    }
    if (weeks >= 3 && rand() < 0.2) {
      means[intBetween(rand, 0, weeks - 1)] *= logUniform(rand, 2.5, 10);
      tags.push("earlier outlier");
    }
    if (weeks === 0) tags.push("new");
    else if (weeks <= 5) tags.push("short");
    if (level < 5) tags.push("low counts");
    const { event, factor } = drawEvent(rand, MIX_B);
    out.push(labelled(rand, "B", tags.length ? tags.join(", ") : "steady", means, dispersion, event, factor));
  }
  return out;
}
