// The one report builder behind both the admin endpoint and the schedule: gather (Firestore
// aggregations), assemble (pure), draw the chart, then write `reports/{week}` with set() so a
// rerun replaces the document instead of adding one.
import type { Firestore } from "firebase-admin/firestore";
import { firestore } from "../shared/firestore";
import { reportTimeZone } from "../shared/isoWeek";
import { log } from "../shared/log";
import { assembleReport } from "./assemble";
import { trendChartSvg, trendChartTitle, CHART_HEIGHT, CHART_WIDTH } from "./chart";
import { renderPng } from "./chart-png";
import { gatherHistory } from "./history-data";
import { MeteredReader } from "./reads";
import { storage, type ObjectStorage } from "../storage/storage";
import type { ReportDoc } from "./types";
import { gatherWeek } from "./week-data";

export const REPORT_SETTINGS = {
  historyWeeks: 12,
  chartWeeks: 12,
  topUsers: 10,
  userCandidates: 20,
  durationRefineLimit: 200,
};

export interface RunOptions {
  db?: Firestore;
  /** IANA zone of the report calendar; REPORT_TIME_ZONE by default. */
  timeZone?: string;
  store?: Pick<ObjectStorage, "save">;
  now?: Date;
  settings?: Partial<typeof REPORT_SETTINGS>;
}

export async function runWeeklyReport(week: string, opts: RunOptions = {}): Promise<ReportDoc> {
  const s = { ...REPORT_SETTINGS, ...opts.settings };
  const db = opts.db ?? firestore();
  const now = opts.now ?? new Date();
  const timeZone = opts.timeZone ?? reportTimeZone();
  const reader = new MeteredReader(db);
  const current = await gatherWeek(reader, week, { timeZone, topUsers: Math.max(s.topUsers, s.userCandidates), durationRefineLimit: s.durationRefineLimit });
  const candidates = current.topUsers.slice(0, s.userCandidates).map((u) => u.uid);
  const history = await gatherHistory(reader, week, s.historyWeeks, current.byModel.map((m) => m.id), candidates, timeZone);
  const report = assembleReport(current, history, { now, timeZone, userCandidates: s.userCandidates, topUsers: s.topUsers, chartWeeks: s.chartWeeks });

  const png = await renderPng(trendChartSvg(report.trend, trendChartTitle(week, timeZone)));
  const chartPath = `reports/${week}/trend.png`;
  await (opts.store ?? storage()).save(chartPath, png, "image/png");
  report.chart = { path: chartPath, contentType: "image/png", width: CHART_WIDTH, height: CHART_HEIGHT, bytes: png.length };
  report.cost = reader.cost();
  report.generatedAt = now;

  await db.doc(`reports/${week}`).set(report);
  log.info("report.written", {
    week,
    requests: report.requests.total,
    anomalies: report.anomalies.length,
    reads: report.cost.reads,
    reusedReports: history.fromStoredReports.length,
  });
  return report;
}
