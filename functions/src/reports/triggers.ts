// Thin wrappers: the admin endpoint (run now, optionally for a given week) and the Monday
// schedule. Both call runWeeklyReport; neither contains report logic.
import { onSchedule } from "firebase-functions/v2/scheduler";
import { z } from "zod";
import { endpoint } from "../http/endpoint";
import { parseInput } from "../http/validate";
import { lastCompleteIsoWeek, parseIsoWeek, reportTimeZone } from "../shared/isoWeek";
import { log } from "../shared/log";
import { runWeeklyReport } from "./run-report";

const isoWeek = z.string().refine((w) => {
  try {
    parseIsoWeek(w);
    return true;
  } catch {
    return false;
  }
}, "must be an ISO week like 2026-W47");

export const reportBodySchema = z.strictObject({
  week: isoWeek.optional().meta({ description: "ISO week like 2026-W47; the last complete week (in REPORT_TIME_ZONE) when omitted" }),
});

export const anomalySchema = z.strictObject({
  scope: z.enum(["global", "model", "user"]),
  subject: z.string(),
  metric: z.enum(["generations", "credits"]),
  current: z.number(),
  baseline: z.number(),
  score: z.number(),
  reason: z.string().meta({ description: "the anomaly in words" }),
}).meta({ id: "Anomaly" });

export const reportResultSchema = z.strictObject({
  reportStatus: z.literal("success"),
  reportId: z.string().meta({ description: "the ISO week; the report is the Firestore document reports/{reportId}" }),
  anomaly: z.string().optional().meta({ description: "one sentence summing up the anomalies, when there are any" }),
  anomalies: z.array(anomalySchema),
});

export const scheduleWeeklyReport = endpoint(
  {
    name: "scheduleWeeklyReport", method: "POST", access: "admin", options: { timeoutSeconds: 300, memory: "512MiB" },
    summary: "Run the weekly report now (the last complete ISO week, or the one named); rewrites reports/{week}",
    input: () => reportBodySchema, output: () => reportResultSchema,
  },
  async ({ body }) => {
    const { week } = parseInput(reportBodySchema, body);
    const report = await runWeeklyReport(week ?? lastCompleteIsoWeek(new Date(), reportTimeZone()));
    return { body: { reportStatus: "success", reportId: report.week, ...(report.anomaly ? { anomaly: report.anomaly } : {}), anomalies: report.anomalies } };
  },
);

export const weeklyReport = onSchedule(
  { schedule: "5 0 * * 1", timeZone: reportTimeZone(), retryCount: 3, timeoutSeconds: 300, memory: "512MiB" },
  async (event) => {
    // The week comes from the scheduled time, not the clock, so a retry or a late run still
    // reports the week the job was meant for; and from the calendar in the report's zone, where
    // Monday 00:05 has just closed the week (in UTC it may still be Sunday).
    const at = new Date(event.scheduleTime);
    const week = lastCompleteIsoWeek(Number.isNaN(at.getTime()) ? new Date() : at, reportTimeZone());
    const report = await runWeeklyReport(week);
    log.info("report.scheduled", { week, job: event.jobName, anomaly: report.anomaly });
  },
);

export type ReportReply = z.infer<typeof reportResultSchema>;
