// Pure: turns the gathered figures into the report document (rates, deltas, trend, anomalies).
import { parseIsoWeek } from "../shared/isoWeek";
import { detectSpike } from "./anomaly";
import type { Anomaly, Delta, HistoryInputs, ReportDoc, TrendPoint, WeekInputs } from "./types";

export interface AssembleOptions {
  now: Date;
  /** IANA zone of the report calendar. */
  timeZone: string;
  /** Top users (by credits) whose own history is checked for spikes. */
  userCandidates: number;
  topUsers: number;
  chartWeeks: number;
}

const SCOPE_RANK: Record<Anomaly["scope"], number> = { global: 0, model: 1, user: 2 };

export function assembleReport(cur: WeekInputs, hist: HistoryInputs, opts: AssembleOptions): ReportDoc {
  const { start, end } = parseIsoWeek(cur.week, opts.timeZone);
  const t = cur.totals;
  const prev = hist.previous;
  const anomalies = findAnomalies(cur, hist, opts.userCandidates);
  return {
    schemaVersion: 1,
    week: cur.week,
    timeZone: opts.timeZone,
    start: start.toISOString(),
    end: end.toISOString(),
    complete: end.getTime() <= opts.now.getTime(),
    requests: t.requests,
    images: t.images,
    credits: { ...t.credits, net: t.credits.granted + t.credits.refunded + t.credits.adjusted - t.credits.debited - t.credits.expired - t.credits.clawedBack },
    rates: { failure: ratio(t.requests.failed, t.requests.total), cancellation: ratio(t.requests.cancelled, t.requests.total) },
    durationMs: cur.durations,
    byModel: cur.byModel,
    byStyle: cur.byStyle,
    activeUsers: cur.activeUsers,
    topUsers: cur.topUsers.slice(0, opts.topUsers),
    deltas: {
      previousWeek: hist.weeks[hist.weeks.length - 1],
      requests: delta(t.requests.total, prev.requests.total),
      images: delta(t.images, prev.images),
      creditsDebited: delta(t.credits.debited, prev.credits.debited),
      creditsRefunded: delta(t.credits.refunded, prev.credits.refunded),
      failed: delta(t.requests.failed, prev.requests.failed),
    },
    trend: trend(cur, hist, opts.chartWeeks),
    anomalies,
    ...(anomalies.length ? { anomaly: anomalies[0].reason } : {}),
  };
}

export function findAnomalies(cur: WeekInputs, hist: HistoryInputs, userCandidates: number): Anomaly[] {
  const out: Anomaly[] = [];
  const since = hist.activeSince;
  const check = (scope: Anomaly["scope"], subject: string, metric: Anomaly["metric"], series: number[], from: number, current: number, label?: string) => {
    // Only the weeks since the series began: a user in their first week has no history.
    const r = detectSpike(series.slice(from), current, { metric, subject: label });
    if (r.isSpike) out.push({ scope, subject, metric, current, baseline: r.baseline, score: r.score, reason: r.reason });
  };
  const none = hist.weeks.length;
  check("global", "all", "generations", hist.generations, since.global, cur.totals.requests.total);
  check("global", "all", "credits", hist.creditsDebited, since.global, cur.totals.credits.debited, "all users");
  for (const m of cur.byModel) {
    check("model", m.id, "generations", hist.byModel[m.id] ?? [], since.byModel[m.id] ?? none, m.requests, `model ${m.id} (${m.displayName})`);
  }
  for (const u of cur.topUsers.slice(0, userCandidates)) {
    check("user", u.uid, "generations", hist.byUser[u.uid] ?? [], since.byUser[u.uid] ?? none, u.requests, `user ${u.uid}`);
  }
  // Most important first: wider scope, then the stronger signal.
  return out.sort((a, b) => SCOPE_RANK[a.scope] - SCOPE_RANK[b.scope] || b.score - a.score || a.subject.localeCompare(b.subject));
}

/** The last `weeks` weeks including the report's; a week is marked when it spiked against the weeks before it (since the deployment's first). */
export function trend(cur: WeekInputs, hist: HistoryInputs, weeks: number): TrendPoint[] {
  const allWeeks = [...hist.weeks, cur.week];
  const gens = [...hist.generations, cur.totals.requests.total];
  const credits = [...hist.creditsDebited, cur.totals.credits.debited];
  const points: TrendPoint[] = [];
  const from = hist.activeSince.global;
  for (let i = Math.max(0, allWeeks.length - weeks); i < allWeeks.length; i++) {
    const earlier = (xs: number[]) => xs.slice(Math.min(from, i), i);
    const anomalous = detectSpike(earlier(gens), gens[i]).isSpike || detectSpike(earlier(credits), credits[i], { metric: "credits" }).isSpike;
    points.push({ week: allWeeks[i], generations: gens[i], credits: credits[i], anomalous });
  }
  return points;
}

export function delta(current: number, previous: number): Delta {
  return { current, previous, change: current - previous, pct: previous === 0 ? null : round4((current - previous) / previous) };
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : round4(a / b));
const round4 = (v: number) => Math.round(v * 10_000) / 10_000;
