// The expected level of this week's count, and how much it varies, from the earlier weeks of the
// same series (oldest first, only weeks since the series began). Pure; used by detectSpike.
//
// 0. Absences: weeks of zero that the other weeks make implausible (a pause, an outage) count for
//    nothing but their place in time, so a user back from a three-week pause at their usual
//    volume is back to normal rather than up from a level of 0.
// 1. Outliers: weeks implausible under the series' own noise around a robust fit (an earlier
//    spike, an outage) are set aside, so they neither raise the bar nor hide the next spike.
// 2. Three readings of what is left:
//    - new level: the series moved and stayed for at least the last two weeks, every one of them
//      beyond the earlier weeks' noise and agreeing with each other; expected = their mean;
//    - trend: growth or decline (Theil–Sen, the median of pairwise slopes, through the counts or
//      their logs, whichever fits tighter), used only with MIN_TREND_WEEKS or more and a slope
//      `minTrendT` standard errors from 0; expected = the fit projected one week ahead;
//    - level: otherwise; expected = the mean of the weeks.
//    When both fit about equally well, the linear or compounding curve projecting higher is used.
//    A trend or level never expects less than the mean of the last two weeks: an expectation
//    set low turns a 2.4× bump into a "3× spike", while one set a little high costs only the
//    weakest spikes. A trend never expects more than 1.5× the higher of the last two weeks
//    with usage: a growth those weeks no longer show is not projected.
// 3. Noise is negative binomial, variance μ + φμ² (Poisson when φ = 0). φ is estimated by
//    moments from the reading's residuals and shrunk towards a prior where the data say little
//    (few weeks, or so few events that Poisson noise swamps any extra variation).
import { logUpperTail } from "./tail";

export interface Baseline {
  expected: number;
  /** φ of next week's count around `expected`. */
  dispersion: number;
  /** Relative standard error of `expected` (0.1: the true level is within about ±10 %). */
  uncertainty: number;
  /** Weeks the expectation rests on (the weeks since the move, for a new level). */
  weeks: number;
  /** "stalled trend": a growth the last weeks no longer show, held to TREND_CAP × the higher of them. */
  kind: "level" | "trend" | "new level" | "stalled trend";
  /** Weeks without any usage set aside as absences (a pause, an outage), not as a level of 0. */
  absent: number;
}

export interface BaselineOptions {
  /** φ assumed before any spread is seen (0.04: weeks vary by about 20 % beyond Poisson noise). */
  priorDispersion: number;
  /** Weight of the prior, in weeks of evidence. */
  priorWeeks: number;
  /** A trend is used only when its slope is this many standard errors away from 0. */
  minTrendT: number;
}

interface Reading {
  kind: Baseline["kind"];
  /** Fitted mean of each history week (for the residuals). */
  fit: number[];
  expected: number;
  /** The reading rests on the last `weeks` weeks of the history. */
  weeks: number;
  /** Parameters fitted, for the degrees of freedom left to estimate the spread. */
  parameters: number;
  /** Robust spread of log residuals over the inliers (1.4826 × MAD), at least Poisson's. */
  spread: number;
}

const OFFSET = 0.5; // keeps log(count) finite for zero weeks
/** A week is an outlier when a count that far from the fit has less than this chance. */
const OUTLIER_TAIL = 1e-3;
/** Extra variation assumed at least when judging outliers (φ = 0.01: 10 %). */
const MIN_OUTLIER_DISPERSION = 0.01;
/** Robust standard deviations that set a week apart within the weeks after a move. */
const OUTLIER_SD = 3.5;
/** Weeks with usage needed before a level can make weeks of zero implausible. */
const MIN_PRESENT_WEEKS = 2;
/** A week of zero is an absence when a week that empty has less than this chance at the series' level. */
const ABSENCE_TAIL = 1e-3;
/** Fewer weeks than this cannot show a trend. */
const MIN_TREND_WEEKS = 3;
/** Fewer weeks than this cannot tell an outlier from a trend: outliers are judged against the median. */
const MIN_OUTLIER_TREND_WEEKS = 5;
/** Week-to-week variation assumed at least when judging a move to a new level (about 10 %). */
const MIN_LOG_SCALE = 0.1;
/** A trend beats a move to a new level only when its log residuals are this much tighter. */
const MOVE_PREFERENCE = 0.85;
/** Recent weeks whose mean is a floor for the expectation of a level or trend. */
export const RECENT_WEEKS = 2;
/** A trend never projects above this multiple of the higher of the last RECENT_WEEKS weeks with usage. */
const TREND_CAP = 1.5;
/** Of a linear and a compounding trend, the one projecting higher is used unless its spread is this much wider. */
const HIGHER_CURVE_TOLERANCE = 1.2;

export function estimateBaseline(history: number[], o: BaselineOptions): Baseline {
  const present = presentWeeks(history, o.priorDispersion);
  return { ...estimate(history, present, o), absent: present.filter((p) => !p).length };
}

/**
 * The weeks left when the weeks of zero are set aside as absences (a pause, an outage): when that
 * many empty weeks would have a chance below ABSENCE_TAIL at the level of the other weeks. A user
 * who did 900 a week, paused for three weeks and came back at 950 is back to normal, not spiking
 * from a level of 0. A series that was mostly empty (zeros, a stray 1 or 2), or has a single week
 * of usage, keeps its zeros, so zeros then a burst is still a spike.
 */
function presentWeeks(h: number[], dispersion: number): boolean[] {
  const used = h.filter((v) => v > 0);
  const zeros = h.length - used.length;
  const all = h.map(() => true);
  if (used.length < MIN_PRESENT_WEEKS || zeros === 0) return all;
  const level = median(used);
  const pZero = Math.exp(-Math.log1p(dispersion * level) / dispersion); // P(X = 0) under NB(level, φ)
  return binomialUpperTail(zeros, h.length, pZero) < ABSENCE_TAIL ? h.map((v) => v > 0) : all;
}

/** P(K >= k) for K ~ Binomial(n, p). */
function binomialUpperTail(k: number, n: number, p: number): number {
  let term = (1 - p) ** n; // P(K = 0)
  let below = 0;
  for (let j = 0; j < k; j++) {
    below += term;
    term *= ((n - j) / (j + 1)) * (p / (1 - p));
  }
  return Math.max(0, 1 - below);
}

/** `present` marks the weeks that count; the others (absences) keep their place in time only. */
function estimate(h: number[], present: boolean[], o: BaselineOptions): Omit<Baseline, "absent"> {
  // Too few weeks to show a trend (or an outlier against one): the mean of those there are.
  if (present.filter(Boolean).length < MIN_TREND_WEEKS) return finish(flatReading(h, present), h, present, o);
  const inlier = inliers(h, present, o);
  const moved = newLevelReading(h, inlier, present);
  if (moved) {
    // Steady growth can look like a step: a trend wins only when it fits clearly better, judged
    // with the weeks after the move counted (the outlier test may have set them all aside).
    const kept = h.map((_, i) => inlier[i] || (present[i] && i >= h.length - moved.weeks));
    const trend = trendReading(h, kept, o.minTrendT);
    if (!(trend && trend.spread < MOVE_PREFERENCE * moved.spread)) return finish(moved, h, inlier, o);
  }
  const reading = trendReading(h, inlier, o.minTrendT) ?? flatReading(h, inlier);
  const recent = mean(h.filter((_, i) => inlier[i]).slice(-RECENT_WEEKS));
  const expected = Math.max(reading.expected, recent);
  // A growth the latest weeks no longer show (set aside as outliers, or bent away) is not
  // projected: [40, 60, 90, 135, 200, 300, 120, 110] was expected at 1,000 without this cap.
  const cap = TREND_CAP * Math.max(...h.filter((_, i) => present[i]).slice(-RECENT_WEEKS)) + 1;
  if (reading.kind === "trend" && expected > cap) return finish({ ...reading, kind: "stalled trend", expected: cap }, h, inlier, o);
  return finish({ ...reading, expected }, h, inlier, o);
}

/**
 * Weeks that are not outliers around a robust fit of the whole history: the median level, or
 * (with MIN_OUTLIER_TREND_WEEKS or more) Siegel's repeated-median trend when it is tighter; it stays put
 * with up to half the weeks being outliers. The noise is Poisson plus a robust estimate of the
 * extra variation, so a 12 among weeks of 3 is an outlier and a 1,100 among weeks of 1,000 is not.
 */
function inliers(h: number[], present: boolean[], o: BaselineOptions): boolean[] {
  const idx = h.flatMap((_, i) => (present[i] ? [i] : []));
  const logs = h.map(logCount);
  const kept = idx.map((i) => logs[i]);
  const level = median(kept);
  const { slope, intercept } = repeatedMedian(idx, kept);
  const flat = logs.map(() => level);
  const sloped = logs.map((_, i) => intercept + slope * i);
  const spread = (fit: number[]) => 1.4826 * mad(idx.map((i) => logs[i] - fit[i]));
  const useTrend = idx.length >= MIN_OUTLIER_TREND_WEEKS && spread(sloped) < spread(flat);
  const fit = (useTrend ? sloped : flat).map((v) => Math.max(0, Math.exp(v) - OFFSET));
  const cv = 1.4826 * mad(idx.map((i) => (h[i] - fit[i]) / Math.max(fit[i], OFFSET)));
  const extra = cv * cv - 1 / Math.max(mean(idx.map((i) => fit[i])), OFFSET);
  const dispersion = Math.min(4 * o.priorDispersion, Math.max(MIN_OUTLIER_DISPERSION, extra));
  const limit = Math.log(OUTLIER_TAIL);
  return h.map((v, i) => {
    if (!present[i]) return false;
    const mu = Math.max(fit[i], OFFSET / h.length);
    if (v > mu) return logUpperTail(v, mu, dispersion) >= limit;
    const atMost = 1 - Math.exp(logUpperTail(v + 1, mu, dispersion));
    return Math.log(Math.max(Number.MIN_VALUE, atMost)) >= limit;
  });
}

function flatReading(h: number[], inlier: boolean[]): Reading {
  const level = mean(h.filter((_, i) => inlier[i]));
  const fit = h.map(() => level);
  return { kind: "level", fit, expected: level, weeks: h.length, parameters: 1, spread: logSpread(h, fit, inlier) };
}

/**
 * A trend, or null when its slope is not clearly (minT standard errors) away from 0: compounding
 * (a line through log counts) or linear (a line through the counts), whichever fits tighter.
 */
function trendReading(h: number[], inlier: boolean[], minT: number): Reading | null {
  const n = h.length;
  const compounding = theilSen(h.map(logCount), inlier);
  const linear = theilSen(h, inlier);
  const curves = [
    (t: number) => Math.max(0, Math.exp(compounding.intercept + compounding.slope * t) - OFFSET),
    (t: number) => Math.max(0, linear.intercept + linear.slope * t),
  ];
  const fits = curves.map((curve) => h.map((_, i) => curve(i)));
  const spreads = fits.map((fit) => logSpread(h, fit, inlier));
  // The higher projection unless it fits clearly worse: the two often fit about equally well,
  // and an expectation set low costs false alarms where one set a little high costs little.
  const [hi, lo] = curves[1](n) > curves[0](n) ? [1, 0] : [0, 1];
  const mads = fits.map((fit) => logResidualMad(h, fit, inlier));
  const k = mads[hi] <= HIGHER_CURVE_TOLERANCE * mads[lo] ? hi : lo;
  // Significance on the log scale for both: the slope of the log fit, against its spread.
  const m = inlier.filter(Boolean).length;
  const logSlope = k === 0 ? compounding.slope : linear.slope / Math.max(mean(fits[1]), OFFSET);
  if (Math.abs(logSlope) < minT * spreads[k] * Math.sqrt(12 / (m * m * m - m))) return null;
  return { kind: "trend", fit: fits[k], expected: curves[k](n), weeks: n, parameters: 2, spread: spreads[k] };
}

/**
 * The best split with at least two weeks after it and two before, if every later week sits more
 * than three robust standard deviations (at least MIN_LOG_SCALE) from the earlier level on the
 * same side, and the later weeks agree with each other more than they differ from the earlier ones.
 */
function newLevelReading(h: number[], inlier: boolean[], present: boolean[]): Reading | null {
  let best: Reading | null = null;
  for (let s = 2; s <= h.length - 2; s++) {
    const before = h.slice(0, s).filter((_, i) => inlier[i]);
    const after = h.slice(s).filter((_, i) => present[s + i]);
    if (before.length < 2 || after.length < 2) continue;
    const { centre, scale } = logLevel(before);
    const afterLogs = after.map(logCount);
    if (!afterLogs.every((v) => v > centre + 3 * scale) && !afterLogs.every((v) => v < centre - 3 * scale)) continue;
    const near = logLevel(after);
    if (Math.max(...afterLogs) - Math.min(...afterLogs) > Math.abs(near.centre - centre)) continue;
    const settled = after.filter((_, i) => Math.abs(afterLogs[i] - near.centre) <= OUTLIER_SD * near.scale);
    const levels = [mean(before), mean(settled)];
    const fit = h.map((_, i) => levels[i < s ? 0 : 1]);
    const kept = h.map((_, i) => (i >= s && present[i]) || inlier[i]);
    const r: Reading = { kind: "new level", fit, expected: levels[1], weeks: h.length - s, parameters: 1, spread: logSpread(h, fit, kept) };
    if (!best || r.spread < best.spread) best = r;
  }
  return best;
}

/**
 * φ by moments over the reading's inlying weeks, (Σ(x − f)² · n/(n − p) − Σf) / Σf², shrunk
 * towards the prior. The data's weight is the degrees of freedom times the squared share of
 * extra variation in a week's variance (φμ against 1 + φμ): at two events a week Poisson noise
 * swamps φ and the prior stands; at a thousand the data decide.
 */
function finish(r: Reading, h: number[], inlier: boolean[], o: BaselineOptions): Omit<Baseline, "absent"> {
  const from = h.length - r.weeks;
  const used = h.flatMap((x, i) => (i >= from && inlier[i] ? [{ x, f: r.fit[i] }] : []));
  const dof = Math.max(0, used.length - r.parameters);
  const sumF = used.reduce((a, u) => a + u.f, 0);
  const sumF2 = used.reduce((a, u) => a + u.f * u.f, 0);
  const squares = used.reduce((a, u) => a + (u.x - u.f) ** 2, 0);
  const observed = dof > 0 && sumF2 > 0 ? Math.max(0, ((squares * used.length) / dof - sumF) / sumF2) : 0;
  const level = used.length ? sumF / used.length : 0;
  const share = (o.priorDispersion * level) / (1 + o.priorDispersion * level);
  const evidence = dof * share * share;
  const dispersion = (o.priorWeeks * o.priorDispersion + evidence * observed) / (o.priorWeeks + evidence);
  const expected = Math.max(0, r.expected);
  // A mean of n weeks has variance σ²/n; a projection one week past the fitted ones about 4σ²/n.
  const cv2 = (expected > 0 ? 1 / expected : 1) + dispersion;
  const uncertainty = Math.sqrt(((r.kind === "level" || r.kind === "new level" ? 1 : 4) * cv2) / Math.max(1, used.length));
  return { expected, dispersion, uncertainty, weeks: r.weeks, kind: r.kind };
}

/** Median log count and its robust spread, floored by Poisson noise and by MIN_LOG_SCALE. */
function logLevel(values: number[]): { centre: number; scale: number } {
  const logs = values.map(logCount);
  const centre = median(logs);
  return { centre, scale: Math.max(1.4826 * mad(logs), poissonLogSd(Math.exp(centre)), MIN_LOG_SCALE) };
}

/** 1.4826 × MAD of the inliers' log residuals, at least the Poisson noise of the level. */
function logSpread(h: number[], fit: number[], inlier: boolean[]): number {
  return Math.max(1.4826 * logResidualMad(h, fit, inlier), poissonLogSd(mean(fit)));
}

function logResidualMad(h: number[], fit: number[], inlier: boolean[]): number {
  return mad(h.flatMap((v, i) => (inlier[i] ? [logCount(v) - logCount(fit[i])] : [])));
}

/** Standard deviation of log counts from Poisson noise alone, about 1/√μ. */
const poissonLogSd = (level: number) => 1 / Math.sqrt(Math.max(1, level));

/** Theil–Sen over the inlying weeks: the median of pairwise slopes, then the median intercept. */
function theilSen(ys: number[], inlier: boolean[]): { slope: number; intercept: number } {
  const idx = ys.map((_, i) => i).filter((i) => inlier[i]);
  const slopes: number[] = [];
  for (let a = 0; a < idx.length; a++) for (let b = a + 1; b < idx.length; b++) slopes.push((ys[idx[b]] - ys[idx[a]]) / (idx[b] - idx[a]));
  const slope = median(slopes);
  return { slope, intercept: median(idx.map((i) => ys[i] - slope * i)) };
}

/** Siegel's repeated median through (xs, ys): for each point the median slope to the others, then their median. */
function repeatedMedian(xs: number[], ys: number[]): { slope: number; intercept: number } {
  const slope = median(ys.map((yi, i) => median(ys.flatMap((yj, j) => (j === i ? [] : [(yj - yi) / (xs[j] - xs[i])])))));
  return { slope, intercept: median(ys.map((v, i) => v - slope * xs[i])) };
}

const logCount = (v: number) => Math.log(Math.max(0, v) + OFFSET);

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function mad(values: number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
