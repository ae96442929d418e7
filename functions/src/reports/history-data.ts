// The previous weeks a report compares against. Complete stored reports are reused (1 read per
// week); weeks without one, or whose stored report is incomplete (a mid-week run), are
// recomputed with aggregations. Per-user history reads only the candidate users' counters by
// document id, so it costs weeks × candidates reads whatever the number of users.
//
// Every series (deployment, model, user) is compared only with the weeks since it began: when
// its window starts with empty weeks, one `limit(1)` query asks whether it had any request
// before the window; if not, those weeks are before its first activity and are not history.
import type { Query } from "firebase-admin/firestore";
import { parseIsoWeek, shiftIsoWeek } from "../shared/isoWeek";
import type { MeteredReader } from "./reads";
import type { HistoryInputs, ReportDoc, WeekTotals } from "./types";
import { gatherTotals, ledgerInWeek, REQUESTS, requestsInWeek, usageRow } from "./week-data";

export function previousWeeks(week: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => shiftIsoWeek(week, i - n));
}

type StoredSlice = Pick<ReportDoc, "requests" | "images" | "credits" | "byModel" | "complete">;

/**
 * Index of the series' first week of activity within the window: 0 when it was active at the
 * window's start or before it, the first non-empty week otherwise, `series.length` when it has
 * none (the report's week is its first).
 */
export function activeSince(series: number[], activeBefore: boolean): number {
  const first = series.findIndex((v) => v > 0);
  if (first === 0 || activeBefore) return 0;
  return first < 0 ? series.length : first;
}

export async function gatherHistory(
  reader: MeteredReader,
  week: string,
  weeksBack: number,
  modelIds: string[],
  candidateUids: string[],
  timeZone: string,
): Promise<HistoryInputs> {
  const weeks = previousWeeks(week, weeksBack);
  const snaps = await reader.getAll("history", weeks.map((w) => reader.db.doc(`reports/${w}`)));
  const stored = new Map<string, StoredSlice>();
  snaps.forEach((s, i) => {
    // A report written before its week ended counted part of the week: never history.
    if (s.exists && s.get("complete") === true) stored.set(weeks[i], s.data() as StoredSlice);
  });

  const perWeek = await Promise.all(weeks.map((w) => weekSeries(reader, w, stored.get(w), modelIds, timeZone)));
  const byModel: Record<string, number[]> = Object.fromEntries(modelIds.map((id) => [id, perWeek.map((p) => p.models[id] ?? 0)]));
  const lastWeek = weeks[weeks.length - 1];
  const prev = stored.get(lastWeek);
  const previous: WeekTotals = prev
    ? { requests: prev.requests, images: prev.images, credits: prev.credits }
    : await gatherTotals(reader, lastWeek, timeZone);
  const generations = perWeek.map((p) => p.generations);
  const byUser = await userHistory(reader, weeks, candidateUids);

  const before = reader.db.collection(REQUESTS).where("createdAt", "<", parseIsoWeek(weeks[0], timeZone).start);
  const since = (series: number[], earlier: () => Query) => sinceFirstActivity(reader, series, earlier);
  const [global, models, users] = await Promise.all([
    since(generations, () => before),
    Promise.all(modelIds.map((id) => since(byModel[id], () => before.where("model", "==", id)))),
    // Descending: the (userId, createdAt desc) index that lists a user's requests serves it.
    Promise.all(candidateUids.map((uid) => since(byUser[uid], () => before.where("userId", "==", uid).orderBy("createdAt", "desc")))),
  ]);

  return {
    weeks,
    generations,
    creditsDebited: perWeek.map((p) => p.credits),
    byModel,
    byUser,
    activeSince: {
      global,
      byModel: Object.fromEntries(modelIds.map((id, i) => [id, models[i]])),
      byUser: Object.fromEntries(candidateUids.map((uid, i) => [uid, users[i]])),
    },
    previous,
    fromStoredReports: weeks.filter((w) => stored.has(w)),
  };
}

/** Only a window that starts empty needs the question "any request before it?" (1 read). */
async function sinceFirstActivity(reader: MeteredReader, series: number[], earlier: () => Query): Promise<number> {
  if (series[0] > 0) return 0;
  const docs = await reader.query("activity", earlier().select().limit(1));
  return activeSince(series, docs.length > 0);
}

async function weekSeries(reader: MeteredReader, week: string, stored: StoredSlice | undefined, modelIds: string[], timeZone: string) {
  if (stored) {
    const models = Object.fromEntries((stored.byModel ?? []).map((m) => [m.id, m.requests]));
    return { generations: stored.requests.total, credits: stored.credits.debited, models };
  }
  const base = requestsInWeek(reader, week, timeZone);
  const [generations, debits, modelCounts] = await Promise.all([
    reader.count("history", base),
    reader.aggregate("history", ledgerInWeek(reader, week, "debit", timeZone), { amount: "amount" }),
    Promise.all(modelIds.map((id) => reader.count("history", base.where("model", "==", id)))),
  ]);
  return { generations, credits: Math.abs(debits.amount), models: Object.fromEntries(modelIds.map((id, i) => [id, modelCounts[i]])) };
}

async function userHistory(reader: MeteredReader, weeks: string[], uids: string[]): Promise<Record<string, number[]>> {
  const refs = uids.flatMap((uid) => weeks.map((w) => reader.db.doc(`usageWeekly/${w}_${uid}`)));
  const snaps = await reader.getAll("users", refs);
  const out: Record<string, number[]> = {};
  uids.forEach((uid, u) => {
    out[uid] = weeks.map((_, i) => usageRow(snaps[u * weeks.length + i].data(), uid).requests);
  });
  return out;
}
