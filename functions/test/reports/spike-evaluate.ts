// Scores a detector on a labelled suite: confusion counts, precision and recall, overall and per
// series shape (a suite-B or -C series counts under each ingredient it has) and per current-week event.
import { rng } from "../../../test-support/rng";
import { logUpperTail } from "../../src/reports/tail";
import { LABEL, normal, type LabelledSeries } from "./spike-truth";

export interface Score {
  series: number;
  spikes: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** null when nothing was flagged (no alarm, no false alarm). */
  precision: number | null;
  /** null when the group holds no true spike. */
  recall: number | null;
}

export interface Evaluation {
  overall: Score;
  byShape: [string, Score][];
  byEvent: [string, Score][];
  errors: { kind: "false alarm" | "miss"; series: LabelledSeries }[];
}

export type Detect = (history: number[], current: number) => boolean;

function scoreOf(outcomes: { spike: boolean; flagged: boolean }[]): Score {
  const s = { series: outcomes.length, spikes: 0, tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const o of outcomes) {
    if (o.spike) s.spikes++;
    if (o.flagged && o.spike) s.tp++;
    else if (o.flagged) s.fp++;
    else if (o.spike) s.fn++;
    else s.tn++;
  }
  return { ...s, precision: s.tp + s.fp ? s.tp / (s.tp + s.fp) : null, recall: s.spikes ? s.tp / s.spikes : null };
}

function grouped<T extends { spike: boolean; flagged: boolean }>(items: T[], keys: (t: T) => string[]): [string, Score][] {
  const groups = new Map<string, T[]>();
  for (const it of items) for (const k of keys(it)) groups.set(k, [...(groups.get(k) ?? []), it]);
  return [...groups.entries()].map(([k, v]) => [k, scoreOf(v)]);
}

export function evaluate(cases: LabelledSeries[], detect: Detect): Evaluation {
  const outcomes = cases.map((c) => ({ ...c, flagged: detect(c.history, c.current) }));
  return {
    overall: scoreOf(outcomes),
    byShape: grouped(outcomes, (o) => (o.suite === "A" ? [o.shape] : o.shape.split(", "))),
    byEvent: grouped(outcomes, (o) => [o.event]),
    errors: outcomes.filter((o) => o.flagged !== o.spike).map((o) => ({ kind: o.flagged ? "false alarm" : "miss", series: o })),
  };
}

const pct = (v: number | null) => (v === null ? "–" : v.toFixed(3));

/** Markdown: counts, false alarms among the quiet weeks, precision and recall per row. */
export function scoreTable(rows: [string, Score][], first = "series"): string {
  const head = `| ${first} | series | true spikes | false alarms (of quiet weeks) | misses | precision | recall |\n|---|--:|--:|--:|--:|--:|--:|`;
  const line = ([k, s]: [string, Score]) => {
    const quiet = s.series - s.spikes;
    const rate = quiet ? ` (${((100 * s.fp) / quiet).toFixed(1)} %)` : "";
    return `| ${k} | ${s.series} | ${s.spikes} | ${s.fp}${rate} | ${s.fn} | ${pct(s.precision)} | ${pct(s.recall)} |`;
  };
  return [head, ...rows.map(line)].join("\n");
}

export function describeCase(c: LabelledSeries): string {
  return `${c.suite} ${c.shape} (${c.event}, true level ${c.mean.toFixed(1)}, φ ${c.dispersion.toFixed(3)}): [${c.history.join(", ")}] → ${c.current}`;
}

/** The labelling rule's volume, lift and surprise gates for a given level and noise. */
function meetsLabelRule(current: number, mu: number, dispersion: number): boolean {
  return current >= LABEL.minCount && current >= LABEL.minRatio * mu && logUpperTail(current, mu, dispersion) < Math.log(LABEL.maxTail);
}

/**
 * A reference, not a detector: it knows each series' true noise and errs on the expected level
 * only by the sampling error of a mean of the series' weeks (lognormal, relative sd
 * √((1/μ + φ)/n)), then applies the labelling rule. It shows how much of a suite's error no
 * estimate from those weeks can avoid.
 */
export function knownNoiseReference(cases: LabelledSeries[], seed = 9): Score {
  const rand = rng(seed);
  const outcomes = cases.map((c) => {
    const n = c.history.length;
    if (n === 0) return { spike: c.spike, flagged: false };
    const mu = c.mean <= 0 ? 0.5 / n : c.mean * Math.exp(normal(rand) * Math.sqrt((1 / Math.max(c.mean, 0.5) + c.dispersion) / n));
    return { spike: c.spike, flagged: meetsLabelRule(c.current, mu, c.dispersion) };
  });
  return scoreOf(outcomes);
}

/**
 * The detector's own rule (lift, tail, volume) with the true expected level in place of its
 * estimate and its own estimate of the noise: what the detector would score if its level were
 * exact. Against the detector's figures it shows how much of the error is the level.
 */
export function knownLevelReference(cases: LabelledSeries[], dispersionOf: (history: number[]) => number): Score {
  const outcomes = cases.map((c) => {
    const n = c.history.length;
    if (n === 0) return { spike: c.spike, flagged: false };
    return { spike: c.spike, flagged: meetsLabelRule(c.current, Math.max(c.mean, 0.5 / n), dispersionOf(c.history)) };
  });
  return scoreOf(outcomes);
}
