// Firestore reads for one week's figures. Every total and breakdown is an aggregation query over
// an index range, so the cost is (number of queries) + (index entries scanned) / 1000, never one
// read per request. Composite indexes for each query are in firestore.indexes.json.
import type { DocumentData, Query } from "firebase-admin/firestore";
import { parseIsoWeek } from "../shared/isoWeek";
import { durationPercentiles } from "./percentile";
import type { MeteredReader } from "./reads";
import { COUNTED_SOURCES, LEDGER_TYPES, STATUSES, type Breakdown, type Durations, type UsageRow, type WeekInputs, type WeekTotals } from "./types";

export interface GatherOptions {
  /** IANA zone of the report calendar: where the week starts and ends. */
  timeZone: string;
  /** Rows of top users to read (and candidates for per-user anomalies). */
  topUsers: number;
  /** Percentile buckets holding at most this many requests are read for the exact value. */
  durationRefineLimit: number;
}

export const REQUESTS = "generationRequests";

export function requestsInWeek(reader: MeteredReader, week: string, timeZone: string): Query {
  const { start, end } = parseIsoWeek(week, timeZone);
  return reader.db.collection(REQUESTS).where("createdAt", ">=", start).where("createdAt", "<", end);
}

export function ledgerInWeek(reader: MeteredReader, week: string, type: string, timeZone: string): Query {
  const { start, end } = parseIsoWeek(week, timeZone);
  return reader.db.collectionGroup("ledger").where("type", "==", type).where("createdAt", ">=", start).where("createdAt", "<", end);
}

export async function gatherTotals(reader: MeteredReader, week: string, timeZone: string): Promise<WeekTotals> {
  const base = requestsInWeek(reader, week, timeZone);
  const [statusAggs, ledgerAggs, sourceAggs] = await Promise.all([
    Promise.all(STATUSES.map((s) => reader.aggregate("requests", base.where("status", "==", s), { images: "numImages" }))),
    Promise.all(LEDGER_TYPES.map((t) => reader.aggregate("ledger", ledgerInWeek(reader, week, t, timeZone), { amount: "amount" }))),
    Promise.all(COUNTED_SOURCES.map((src) => reader.aggregate("ledger", ledgerInWeek(reader, week, "grant", timeZone).where("source", "==", src), { amount: "amount" }))),
  ]);
  const requests = Object.fromEntries(STATUSES.map((s, i) => [s, statusAggs[i].count])) as WeekTotals["requests"];
  requests.total = statusAggs.reduce((s, a) => s + a.count, 0);
  const byType = Object.fromEntries(LEDGER_TYPES.map((t, i) => [t, ledgerAggs[i].amount]));
  return {
    requests,
    images: statusAggs[STATUSES.indexOf("succeeded")].images,
    credits: {
      debited: Math.abs(byType.debit), refunded: Math.abs(byType.refund), granted: Math.abs(byType.grant), adjusted: byType.adjustment,
      expired: Math.abs(byType.expire), clawedBack: Math.abs(byType.clawback), grantedBySource: grantedBySource(Math.abs(byType.grant), sourceAggs.map((a) => a.amount)),
    },
  };
}

function grantedBySource(granted: number, counted: number[]): WeekTotals["credits"]["grantedBySource"] {
  const [plan, pack, promo] = counted;
  return { plan, pack, promo, admin: granted - plan - pack - promo };
}

export async function gatherDurations(reader: MeteredReader, week: string, timeZone: string, refineLimit: number): Promise<Durations> {
  const base = requestsInWeek(reader, week, timeZone);
  const total = await reader.count("durations", base.where("durationMs", ">=", 0));
  // A second range filter (durationMs) scans every entry of the week's createdAt range, so each
  // count is billed for `total` entries, not for what it matches.
  return durationPercentiles(
    {
      countAtMost: (x) => reader.count("durations", base.where("durationMs", "<=", x), total),
      valuesBetween: async (lo, hi) =>
        (await reader.query("durations", base.where("durationMs", ">", lo).where("durationMs", "<=", hi).select("durationMs"))).map(
          (d) => d.get("durationMs") as number,
        ),
    },
    total,
    refineLimit,
  );
}

export async function catalogIds(reader: MeteredReader, collection: "models" | "styles"): Promise<{ id: string; displayName: string }[]> {
  const docs = await reader.query("catalog", reader.db.collection(collection).select("displayName"));
  return docs.map((d) => ({ id: d.id, displayName: (d.get("displayName") as string | undefined) ?? d.id }));
}

export async function gatherBreakdown(
  reader: MeteredReader, week: string, timeZone: string, field: "model" | "style", ids: { id: string; displayName: string }[],
): Promise<Breakdown[]> {
  const base = requestsInWeek(reader, week, timeZone);
  const aggs = await Promise.all(ids.map((c) => reader.aggregate("breakdowns", base.where(field, "==", c.id), { credits: "cost" })));
  return ids.map((c, i) => ({ ...c, requests: aggs[i].count, credits: aggs[i].credits }));
}

export function usageRow(data: DocumentData | undefined, uid: string): UsageRow {
  return {
    uid,
    requests: data?.requests ?? 0,
    images: data?.images ?? 0,
    creditsDebited: data?.creditsDebited ?? 0,
    creditsRefunded: data?.creditsRefunded ?? 0,
  };
}

export async function gatherUsers(reader: MeteredReader, week: string, limit: number): Promise<{ activeUsers: number; topUsers: UsageRow[] }> {
  const weekly = reader.db.collection("usageWeekly").where("week", "==", week);
  const [activeUsers, docs] = await Promise.all([
    reader.count("users", weekly),
    reader.query("users", weekly.orderBy("creditsDebited", "desc").limit(limit)),
  ]);
  return { activeUsers, topUsers: docs.map((d) => usageRow(d.data(), d.get("uid") ?? d.id.slice(week.length + 1))) };
}

export async function gatherWeek(reader: MeteredReader, week: string, opts: GatherOptions): Promise<WeekInputs> {
  const [models, styles] = await Promise.all([catalogIds(reader, "models"), catalogIds(reader, "styles")]);
  const [totals, durations, byModel, byStyle, users] = await Promise.all([
    gatherTotals(reader, week, opts.timeZone),
    gatherDurations(reader, week, opts.timeZone, opts.durationRefineLimit),
    gatherBreakdown(reader, week, opts.timeZone, "model", models),
    gatherBreakdown(reader, week, opts.timeZone, "style", styles),
    gatherUsers(reader, week, opts.topUsers),
  ]);
  return { week, totals, durations, byModel, byStyle, ...users };
}
