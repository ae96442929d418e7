// The previous weeks a report compares against. Stored reports are reused (1 read per week);
// only weeks without one are recomputed with aggregations. Per-user history reads only the
// candidate users' counters by document id, so it costs weeks × candidates reads whatever the
// number of users.
import { shiftIsoWeek } from "../shared/isoWeek";
import type { MeteredReader } from "./reads";
import type { HistoryInputs, ReportDoc, WeekTotals } from "./types";
import { gatherTotals, ledgerInWeek, requestsInWeek, usageRow } from "./week-data";

export function previousWeeks(week: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => shiftIsoWeek(week, i - n));
}

type StoredSlice = Pick<ReportDoc, "requests" | "images" | "credits" | "byModel">;

export async function gatherHistory(
  reader: MeteredReader,
  week: string,
  weeksBack: number,
  modelIds: string[],
  candidateUids: string[],
): Promise<HistoryInputs> {
  const weeks = previousWeeks(week, weeksBack);
  const snaps = await reader.getAll("history", weeks.map((w) => reader.db.doc(`reports/${w}`)));
  const stored = new Map<string, StoredSlice>();
  snaps.forEach((s, i) => s.exists && stored.set(weeks[i], s.data() as StoredSlice));

  const perWeek = await Promise.all(weeks.map((w) => weekSeries(reader, w, stored.get(w), modelIds)));
  const byModel: Record<string, number[]> = Object.fromEntries(modelIds.map((id) => [id, perWeek.map((p) => p.models[id] ?? 0)]));
  const lastWeek = weeks[weeks.length - 1];
  const prev = stored.get(lastWeek);
  const previous: WeekTotals = prev
    ? { requests: prev.requests, images: prev.images, credits: prev.credits }
    : await gatherTotals(reader, lastWeek);

  return {
    weeks,
    generations: perWeek.map((p) => p.generations),
    creditsDebited: perWeek.map((p) => p.credits),
    byModel,
    byUser: await userHistory(reader, weeks, candidateUids),
    previous,
    fromStoredReports: weeks.filter((w) => stored.has(w)),
  };
}

async function weekSeries(reader: MeteredReader, week: string, stored: StoredSlice | undefined, modelIds: string[]) {
  if (stored) {
    const models = Object.fromEntries((stored.byModel ?? []).map((m) => [m.id, m.requests]));
    return { generations: stored.requests.total, credits: stored.credits.debited, models };
  }
  const base = requestsInWeek(reader, week);
  const [generations, debits, modelCounts] = await Promise.all([
    reader.count("history", base),
    reader.aggregate("history", ledgerInWeek(reader, week, "debit"), { amount: "amount" }),
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
