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

const bodySchema = z.object({ week: isoWeek.optional() }).strict();

export const scheduleWeeklyReport = endpoint(
  { name: "scheduleWeeklyReport", method: "POST", access: "admin", options: { timeoutSeconds: 300, memory: "512MiB" } },
  async ({ body }) => {
    const { week } = parseInput(bodySchema, body);
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
