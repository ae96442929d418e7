// Spike detection for weekly counts (contract: DESIGN.md "Weekly report").
//
// Method, and why:
// - Expected value: the larger of (a) the median of the last three weeks and (b) a robust trend
//   projection (Theil–Sen slope, clamped at >= 0, fitted to the counts and to log counts, so both
//   linear and compounding growth are projected forward). Medians and Theil–Sen tolerate roughly
//   a third of the history being outliers, so an earlier spike neither inflates the baseline nor
//   hides the next one. Taking the larger projection keeps steady growth and a settled new level
//   quiet; declines are never projected, so returning to normal is not a "spike".
// - Noise: the larger of the robust spread of the detrended history (1.4826 × MAD, which equals
//   the standard deviation for normal data) and the Poisson spread sqrt(expected). The Poisson
//   floor is what keeps low counts quiet: 1 → 3 is well within sqrt-noise.
// - Decision: a spike needs all of score = (current − expected) / noise >= minScore, an absolute
//   excess >= minExcess and a ratio >= minRatio. The excess and ratio gates stop statistically
//   "significant" but operationally boring alerts (a flat series going 1000 → 1150).
// - Short histories (1–3 weeks) cannot estimate spread or trend, so the baseline is
//   max(median, last week) and the score and ratio gates are stricter. No history: never a spike.
export interface SpikeOptions {
  /** What is counted, for the sentence: "generations", "credits". */
  metric?: string;
  /** Who or what, for the sentence: "model B", "user u_123". */
  subject?: string;
  minScore?: number;
  minExcess?: number;
  minRatio?: number;
  /** Thresholds used with 1–3 weeks of history. */
  shortHistoryMinScore?: number;
  shortHistoryMinRatio?: number;
  /** Only the most recent weeks are used. */
  maxHistory?: number;
  /** Cap on the compounding growth projected per week (0.5 = +50 %). */
  maxWeeklyGrowth?: number;
}

export interface SpikeResult {
  isSpike: boolean;
  baseline: number;
  score: number;
  reason: string;
}

const DEFAULTS = {
  metric: "generations",
  minScore: 4,
  minExcess: 10,
  minRatio: 1.5,
  shortHistoryMinScore: 6,
  shortHistoryMinRatio: 3,
  maxHistory: 12,
  maxWeeklyGrowth: 0.5,
};
const SHORT_HISTORY = 4;

export function detectSpike(history: number[], current: number, options: SpikeOptions = {}): SpikeResult {
  const o = { ...DEFAULTS, ...options };
  const h = history.slice(-o.maxHistory).map((v) => Math.max(0, v));
  const what = o.subject ? ` for ${o.subject}` : "";
  if (h.length === 0) {
    return { isSpike: false, baseline: current, score: 0, reason: `No spike${what}: ${current} ${o.metric} this week and no earlier weeks to compare with.` };
  }
  const short = h.length < SHORT_HISTORY;
  const { expected, spread } = short ? shortBaseline(h) : robustBaseline(h, o.maxWeeklyGrowth);
  const noise = Math.sqrt(Math.max(spread * spread, expected, 1));
  const score = round1((current - expected) / noise);
  const minScore = short ? o.shortHistoryMinScore : o.minScore;
  const minRatio = short ? o.shortHistoryMinRatio : o.minRatio;
  const excess = current - expected;
  const baseline = round1(expected);
  const shown = formatCount(expected);

  if (score >= minScore && excess >= o.minExcess && current >= minRatio * expected) {
    return { isSpike: true, baseline, score, reason: `Usage spike${what}: ${current} ${o.metric} this week, expected about ${shown} (score ${score.toFixed(1)}).` };
  }
  let why: string;
  if (excess <= 0) why = "at or below the expected level";
  else if (excess < o.minExcess) why = `only ${formatCount(excess)} above expected, below the minimum excess of ${o.minExcess}`;
  else if (score < minScore) why = `within normal variation (score ${score.toFixed(1)} < ${minScore})`;
  else why = `less than ${minRatio}× the expected level`;
  const caveat = short ? ` (only ${h.length} earlier week${h.length === 1 ? "" : "s"}, so thresholds are stricter)` : "";
  return { isSpike: false, baseline, score, reason: `No spike${what}: ${current} ${o.metric} this week, expected about ${shown}; ${why}${caveat}.` };
}

function shortBaseline(h: number[]): { expected: number; spread: number } {
  return { expected: Math.max(median(h), h[h.length - 1]), spread: 0 };
}

function robustBaseline(h: number[], maxGrowth: number): { expected: number; spread: number } {
  const n = h.length;
  const xs = h.map((_, i) => i);
  const slope = Math.max(0, theilSen(xs, h));
  const level = median(h.map((v, i) => v - slope * i));
  const linear = level + slope * n;
  const logs = h.map((v) => Math.log1p(v));
  const logSlope = Math.min(Math.max(0, theilSen(xs, logs)), Math.log1p(maxGrowth));
  const logLevel = median(logs.map((v, i) => v - logSlope * i));
  const compounding = Math.expm1(logLevel + logSlope * n);
  const recent = median(h.slice(-3));
  const expected = Math.max(linear, compounding, recent, 0);
  // Spread of the detrended history around the fitted line; MAD ignores the outliers.
  const residuals = h.map((v, i) => v - (level + slope * i));
  const spread = 1.4826 * median(residuals.map((r) => Math.abs(r - median(residuals))));
  return { expected, spread };
}

/** Median of the pairwise slopes: robust to up to ~29 % outliers. */
function theilSen(xs: number[], ys: number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    for (let j = i + 1; j < xs.length; j++) slopes.push((ys[j] - ys[i]) / (xs[j] - xs[i]));
  }
  return slopes.length ? median(slopes) : 0;
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const round1 = (v: number) => Math.round(v * 10) / 10;
const formatCount = (v: number) => (v >= 10 ? String(Math.round(v)) : String(round1(v)));
