export { scheduleWeeklyReport, weeklyReport } from "./triggers";
export { runWeeklyReport } from "./run-report";
export { detectSpike } from "./anomaly";
