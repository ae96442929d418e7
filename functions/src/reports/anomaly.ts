// Spike detection for weekly counts (contract: DESIGN.md "Weekly report"; method, labelled
// suites and measured precision/recall: docs/spike-detection.md).
//
// A week is a spike when all three hold:
// - lift: it is at least `minRatio` (2.5×, never below 2×) the expected level, so "spike" keeps
//   the seed's meaning of "more than twice the average" and a statistically clear but modest
//   rise (1,000 → 1,600) stays quiet. The bar rises with the expectation's uncertainty
//   (`ratioMargin` standard errors), so a 2.4× bump over a level guessed 10 % low from two
//   weeks does not pass as 2.6×;
// - surprise: a week this high is implausible under the series' own noise, P(X >= current)
//   below `maxTailProbability` (0.001) for X negative binomial around the expected level;
// - volume: at least `minCount` (10) events, so 1 → 4 never pages anyone.
// The expected level and the noise come from estimateBaseline (baseline.ts). `history` holds
// only the weeks since the series began: no history means a new series, never a spike. The
// defaults were tuned on one half of a labelled suite and checked on the other half and on a
// suite from a different generator (functions/test/reports/spike-*.ts).
import { RECENT_WEEKS, estimateBaseline, type Baseline } from "./baseline";
import { logUpperTail } from "./tail";

export interface SpikeOptions {
  /** What is counted, for the sentence: "generations", "credits". */
  metric?: string;
  /** Who or what, for the sentence: "model B", "user u_123". */
  subject?: string;
  /** Lift floor: current / expected level. At least 2. */
  minRatio?: number;
  /** Largest chance of a week this high under normal variation that still counts as a spike. */
  maxTailProbability?: number;
  /** Fewest events a spike can have. */
  minCount?: number;
  /** Only the most recent weeks are used. */
  maxHistory?: number;
  /** Assumed week-to-week variation beyond Poisson noise before any is seen (φ; 0.04 ≈ 20 %). */
  priorDispersion?: number;
  /** Weight of that assumption, in weeks of history. */
  priorWeeks?: number;
  /** A growth or decline is projected only when its slope is this many standard errors from 0. */
  minTrendT?: number;
  /** Standard errors of the expectation the lift must clear minRatio by. */
  ratioMargin?: number;
}

export interface SpikeResult {
  isSpike: boolean;
  baseline: number;
  /** −log10 of the chance of a week at least this high under normal variation (3 = 1 in 1,000). */
  score: number;
  reason: string;
}

export const SPIKE_DEFAULTS = {
  metric: "generations",
  minRatio: 2.5,
  maxTailProbability: 0.001,
  minCount: 10,
  maxHistory: 12,
  priorDispersion: 0.04,
  priorWeeks: 3,
  minTrendT: 2.5,
  ratioMargin: 0.15,
};
/** Lift below which a week is never a spike, whatever the options. */
export const MIN_RATIO_FLOOR = 2;
/** Series with fewer earlier weeks than this are called new in the reason. */
const NEW_SERIES_WEEKS = 4;
const MAX_SCORE = 999;

type Resolved = typeof SPIKE_DEFAULTS & { subject?: string };

export function detectSpike(history: number[], current: number, options: SpikeOptions = {}): SpikeResult {
  const o = resolve(options);
  const h = history.slice(-o.maxHistory).map((v) => (Number.isFinite(v) ? Math.max(0, v) : 0));
  const what = o.subject ? ` for ${o.subject}` : "";
  if (h.length === 0) {
    return { isSpike: false, baseline: 0, score: 0, reason: `New series${what}: ${current} ${o.metric} in its first week; no earlier week to compare with, so not judged a spike.` };
  }
  const b = estimateBaseline(h, o);
  // An all-zero history still leaves some chance of a few events: half an event over its weeks.
  const expected = Math.max(b.expected, 0.5 / h.length);
  const logTail = logUpperTail(current, expected, b.dispersion);
  const score = round1(Math.min(MAX_SCORE, -logTail / Math.LN10));
  const ratio = current / expected;
  // The lift must clear minRatio also when the expectation sits `ratioMargin` standard errors
  // higher: a 2.4× bump over a level guessed 10 % low must not read as 2.6×.
  const needed = o.minRatio * Math.exp(o.ratioMargin * b.uncertainty);
  const isSpike = current >= o.minCount && ratio >= needed && logTail < Math.log(o.maxTailProbability);
  const compared = `${current} ${o.metric} this week, expected about ${formatCount(b.expected)} ${source(b, h.length)}`;
  const reason = isSpike
    ? `Usage spike${what}: ${compared}: ${formatRatio(ratio)} the expected level; ${chance(logTail)} under normal variation.`
    : `No spike${what}: ${compared}; ${whyNot(current, ratio, needed, logTail, b, o)}.`;
  return { isSpike, baseline: round1(b.expected), score, reason };
}

function resolve(options: SpikeOptions): Resolved {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: Resolved = { ...SPIKE_DEFAULTS, ...defined };
  if (!(o.minRatio >= MIN_RATIO_FLOOR)) throw new RangeError(`minRatio must be at least ${MIN_RATIO_FLOOR} (got ${o.minRatio})`);
  if (!(o.maxTailProbability > 0 && o.maxTailProbability < 1)) throw new RangeError(`maxTailProbability must be in (0, 1) (got ${o.maxTailProbability})`);
  if (!(o.maxHistory >= 1)) throw new RangeError(`maxHistory must be at least 1 (got ${o.maxHistory})`);
  return o;
}

/** What the expectation was computed from, for the operator: "from the last 8 weeks". */
function source(b: Baseline, weeks: number): string {
  const isNew = weeks < NEW_SERIES_WEEKS ? ` (a new series: ${plural(weeks, "earlier week")})` : "";
  const absent = b.absent ? `, leaving out ${plural(b.absent, "week")} without usage` : "";
  if (b.kind === "new level") return `from the ${plural(b.weeks, "week")} since usage moved to a new level${absent}`;
  if (b.kind === "stalled trend") return `from the last ${RECENT_WEEKS} weeks with usage, where the growth of the last ${weeks} weeks stalled${absent}`;
  if (weeks === 1) return `from last week${isNew}`;
  const from = b.kind === "trend" ? `from the trend of the last ${weeks} weeks` : `from the last ${weeks} weeks`;
  return from + absent + isNew;
}

function whyNot(current: number, ratio: number, needed: number, logTail: number, b: Baseline, o: Resolved): string {
  if (current <= b.expected) return "at or below the expected level";
  if (current < o.minCount) return `fewer than ${o.minCount} ${o.metric}, too few to call a spike`;
  if (ratio < needed) {
    // Two decimals only where one would show the lift equal to the bar it missed.
    const digits = formatRatio(ratio) === formatRatio(needed, Math.round) ? 2 : 1;
    return `${formatRatio(ratio, Math.floor, digits)} the expected level, below the ${formatRatio(needed, Math.round, digits)} a spike needs`;
  }
  return `${formatRatio(ratio)} the expected level, but within this series' normal variation (${chance(logTail)})`;
}

/** "chance about 1 in 2,000", "chance below 1 in a million". */
function chance(logTail: number): string {
  const odds = Math.exp(-logTail);
  if (!Number.isFinite(odds) || odds >= 1e6) return "chance below 1 in a million";
  const rounded = Number(odds.toPrecision(odds < 100 ? 2 : 1));
  return `chance about 1 in ${Math.max(1, rounded).toLocaleString("en-US")}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const round1 = (v: number) => Math.round(v * 10) / 10;
/** Rounded down by default, so a lift just short of the bar never reads as reaching it. */
function formatRatio(r: number, round = Math.floor, digits = 1): string {
  if (!Number.isFinite(r) || r >= 100) return "over 100×";
  const scale = 10 ** digits;
  return `${(round(r * scale + 1e-9) / scale).toFixed(digits)}×`;
}
const formatCount = (v: number) => (v >= 10 ? String(Math.round(v)) : String(round1(v)));
