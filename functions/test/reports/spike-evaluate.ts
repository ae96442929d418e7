// Scores a detector on a labelled suite: confusion counts, precision and recall, overall and per
// series shape (a suite-B series counts under each ingredient it has) and per current-week event.
import type { LabelledSeries } from "./spike-truth";

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

type Detect = (history: number[], current: number) => boolean;

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
    byShape: grouped(outcomes, (o) => (o.suite === "B" ? o.shape.split(", ") : [o.shape])),
    byEvent: grouped(outcomes, (o) => [o.event]),
    errors: outcomes.filter((o) => o.flagged !== o.spike).map((o) => ({ kind: o.flagged ? "false alarm" : "miss", series: o })),
  };
}

const pct = (v: number | null) => (v === null ? "–" : v.toFixed(3));

/** Markdown rows: | group | series | spikes | false alarms | misses | precision | recall | */
export function scoreTable(rows: [string, Score][]): string {
  const head = "| series | count | true spikes | false alarms | misses | precision | recall |\n|---|--:|--:|--:|--:|--:|--:|";
  return [head, ...rows.map(([k, s]) => `| ${k} | ${s.series} | ${s.spikes} | ${s.fp} | ${s.fn} | ${pct(s.precision)} | ${pct(s.recall)} |`)].join("\n");
}

export function describeCase(c: LabelledSeries): string {
  return `${c.suite} ${c.shape} (${c.event}, true level ${c.mean.toFixed(1)}, φ ${c.dispersion.toFixed(3)}): [${c.history.join(", ")}] → ${c.current}`;
}
