// Shapes of the weekly report: what is gathered from Firestore (inputs) and what is written to
// `reports/{isoWeek}` (the document). Figures are plain numbers so the pure assembly step can be
// unit-tested without Firestore.
export const STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type Status = (typeof STATUSES)[number];
export const LEDGER_TYPES = ["grant", "debit", "refund", "adjustment", "expire", "clawback"] as const;
/** Grant sources counted on their own; `admin` is the rest (entries from before grants had sources are admin's). */
export const COUNTED_SOURCES = ["plan", "pack", "promo"] as const;
export type LedgerType = (typeof LEDGER_TYPES)[number];

export interface WeekTotals {
  requests: Record<Status, number> & { total: number };
  /** numImages summed over the week's succeeded requests. */
  images: number;
  /** Magnitudes of ledger movements dated in the week; `adjusted` keeps its sign. */
  credits: {
    debited: number; refunded: number; granted: number; adjusted: number;
    /** Left unspent in grants that expired; taken back by refunded or disputed payments (issue 16). */
    expired: number; clawedBack: number;
    grantedBySource: { plan: number; pack: number; promo: number; admin: number };
  };
}

export interface Durations {
  /** Terminal requests of the week that carry durationMs. */
  samples: number;
  p50: number | null;
  p95: number | null;
  /** False when a percentile is a bucket's upper bound (at most 5 % high) rather than the exact value. */
  exact: boolean;
}

export interface Breakdown {
  id: string;
  displayName: string;
  requests: number;
  /** Credits charged at create (sum of `cost`). */
  credits: number;
}

export interface UsageRow {
  uid: string;
  requests: number;
  images: number;
  creditsDebited: number;
  creditsRefunded: number;
}

export interface WeekInputs {
  week: string;
  totals: WeekTotals;
  durations: Durations;
  byModel: Breakdown[];
  byStyle: Breakdown[];
  activeUsers: number;
  /** Ordered by creditsDebited desc; at least as many as the candidates for user anomalies. */
  topUsers: UsageRow[];
}

/** The previous weeks, oldest first (same length as `weeks`). */
export interface HistoryInputs {
  weeks: string[];
  generations: number[];
  creditsDebited: number[];
  byModel: Record<string, number[]>;
  byUser: Record<string, number[]>;
  /**
   * Index in `weeks` of each series' first week of activity (`weeks.length`: none before the
   * report's week). Earlier weeks are before the series began: shown in the chart as empty, never
   * compared against.
   */
  activeSince: { global: number; byModel: Record<string, number>; byUser: Record<string, number> };
  /** Totals of the week before the report's week, for week-over-week deltas. */
  previous: WeekTotals;
  /** Which weeks came from stored reports (the rest were recomputed with aggregations). */
  fromStoredReports: string[];
}

export interface Anomaly {
  scope: "global" | "model" | "user";
  subject: string;
  metric: "generations" | "credits";
  current: number;
  baseline: number;
  score: number;
  reason: string;
}

export interface Delta {
  current: number;
  previous: number;
  change: number;
  /** Relative change; null when the previous value was 0. */
  pct: number | null;
}

export interface TrendPoint {
  week: string;
  generations: number;
  credits: number;
  anomalous: boolean;
}

export interface ChartRef {
  path: string;
  contentType: string;
  width: number;
  height: number;
  bytes: number;
}

export interface ReadCost {
  reads: number;
  queries: number;
  byGroup: Record<string, number>;
  /** Billed by aggregations (1 per started 1,000 index entries): the only part that may grow with the week's volume. */
  aggregationReads?: number;
  /** Billed per document returned or looked up: bounded, whatever the volume. */
  documentReads?: number;
}

export interface ReportDoc {
  schemaVersion: 1;
  week: string;
  /** IANA zone of the report calendar (REPORT_TIME_ZONE): the week runs Monday 00:00 to Monday 00:00 there. */
  timeZone: string;
  start: string;
  end: string;
  /** False when the week had not ended when the report ran (a backfill of the current week). */
  complete: boolean;
  requests: WeekTotals["requests"];
  images: number;
  credits: WeekTotals["credits"] & { net: number };
  rates: { failure: number; cancellation: number };
  durationMs: Durations;
  byModel: Breakdown[];
  byStyle: Breakdown[];
  activeUsers: number;
  topUsers: UsageRow[];
  deltas: { previousWeek: string } & Record<"requests" | "images" | "creditsDebited" | "creditsRefunded" | "failed", Delta>;
  trend: TrendPoint[];
  anomalies: Anomaly[];
  anomaly?: string;
  chart?: ChartRef;
  cost?: ReadCost;
  generatedAt?: Date;
}
