import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { callFunction, db, functionsUrl, signIn } from "../../../test-support/emulator";
import { detectSpike } from "../../src/reports/anomaly";
import { runWeeklyReport } from "../../src/reports/run-report";
import { shiftIsoWeek } from "../../src/shared/isoWeek";
import { planRequests, seedHistory, type SeedRequest } from "../../../test-support/seed-history";

jest.setTimeout(60_000);

// Year 2021 (past weeks, so their reports are complete) and run-unique uids keep this data apart
// from other suites sharing the emulator. Nothing is seeded before 2021-W10: that is where the
// deployment's and every seeded user's history begins.
const run = Math.random().toString(36).slice(2, 7);
const WEEKS = Array.from({ length: 10 }, (_, i) => shiftIsoWeek("2021-W10", i));
const REPORT_WEEK = WEEKS[9];
const UIDS = ["spiky", "steady1", "steady2", "steady3", "newbie"].map((n) => `rep_${run}_${n}`);
const SPIKY = UIDS[0];
const NEWBIE = UIDS[4];
// Requests per week per user: the spiky user goes 6 → 30 (5×) in the last week; the newbie's
// first week is the report's, with a volume like the steady users'.
const COUNTS = WEEKS.map((_, w) => [w === 9 ? 30 : 6, 9 + (w % 2), 5 + (w % 3 === 0 ? 1 : 0), 3, w === 9 ? 12 : 0]);
// Every user is funded when the history begins (2021-03-08, Monday of WEEKS[0]); one more grant
// lands in the report's week.
const GRANTS = [
  ...UIDS.map((userId, u) => ({ userId, week: WEEKS[0], amount: 1000 + u, createdAt: new Date("2021-03-08T00:00:00Z") })),
  { userId: UIDS[1], week: WEEKS[9], amount: 101, createdAt: new Date("2021-05-12T10:00:00Z") },
];
// A manual run in the middle of the week before the report's: its report is incomplete.
const MIDWEEK = new Date("2021-05-06T12:00:00Z");
const noStore = { save: async () => {}, remove: async () => {}, signedUrl: async () => "" };

/**
 * Calls a v2 scheduled function the way Cloud Scheduler does (HTTP POST with the scheduler
 * headers). firebase-tools 14.18 registers it as a Pub/Sub trigger but its Pub/Sub emulator only
 * delivers to event/cloudevent signatures, and a schedule's is "http", so a publish never runs
 * it; the emulator does serve the trigger on its internal route, keyed `{region}-{name}-{generation}`.
 */
async function invokeScheduled(name: string, scheduleTime: string): Promise<Response> {
  const origin = new URL(functionsUrl(name)).origin;
  const headers = { "X-CloudScheduler-JobName": `firebase-schedule-${name}-us-central1`, "X-CloudScheduler-ScheduleTime": scheduleTime };
  let res: Response | undefined;
  for (let generation = 0; generation < 5; generation++) {
    res = await fetch(`${origin}/functions/projects/demo-imagegen/triggers/us-central1-${name}-${generation}`, { method: "POST", headers });
    if (res.status !== 404) return res;
  }
  return res!;
}

let requests: SeedRequest[];
let admin: string;

beforeAll(async () => {
  requests = planRequests(WEEKS, UIDS, COUNTS);
  // The weeks up to the middle of WEEKS[8], a mid-week report of WEEKS[8] (stored with
  // complete: false and part of the week's figures), then the rest of the weeks.
  await seedHistory(db(), requests.filter((r) => r.createdAt < MIDWEEK), GRANTS.filter((g) => g.createdAt < MIDWEEK));
  await runWeeklyReport(WEEKS[8], { db: db(), store: noStore, now: MIDWEEK, timeZone: "UTC" });
  await seedHistory(db(), requests.filter((r) => r.createdAt >= MIDWEEK), GRANTS.filter((g) => g.createdAt >= MIDWEEK));
  admin = await signIn("admin@example.com");
}, 240_000);

const ofWeek = (w: string) => requests.filter((r) => r.week === w);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const nearestRank = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.ceil(p * xs.length) - 1];

function truthTotals(week: string) {
  const rs = ofWeek(week);
  const by = (s: string) => rs.filter((r) => r.status === s).length;
  const refunded = rs.filter((r) => r.status === "failed" || r.status === "cancelled");
  const granted = sum(GRANTS.filter((g) => g.week === week).map((g) => g.amount));
  return {
    requests: { queued: by("queued"), running: by("running"), succeeded: by("succeeded"), failed: by("failed"), cancelled: by("cancelled"), total: rs.length },
    images: sum(rs.filter((r) => r.status === "succeeded").map((r) => r.numImages)),
    credits: {
      debited: sum(rs.map((r) => r.cost)), refunded: sum(refunded.map((r) => r.cost)), granted, adjusted: 0, expired: 0, clawedBack: 0,
      grantedBySource: { plan: 0, pack: 0, promo: 0, admin: granted },
    },
  };
}

async function report(week?: string) {
  const res = await callFunction("scheduleWeeklyReport", { token: admin, body: week ? { week } : {} });
  expect(res.status).toBe(200);
  const snap = await db().doc(`reports/${res.body.reportId}`).get();
  return { res, doc: snap.data()! };
}

describe("scheduleWeeklyReport on ten seeded weeks", () => {
  it("reports every figure of the week exactly, names the spiking user and not the new one", async () => {
    // The mid-week report of the previous week is stored, incomplete and short of the truth.
    const midweek = (await db().doc(`reports/${WEEKS[8]}`).get()).data()!;
    expect(midweek.complete).toBe(false);
    expect(midweek.requests.total).toBeLessThan(ofWeek(WEEKS[8]).length);

    const { res, doc } = await report(REPORT_WEEK);
    expect(res.body.reportStatus).toBe("success");
    expect(res.body.reportId).toBe(REPORT_WEEK);

    const t = truthTotals(REPORT_WEEK);
    expect(doc.requests).toEqual(t.requests);
    expect(doc.images).toBe(t.images);
    expect(doc.credits).toEqual({ ...t.credits, net: t.credits.granted + t.credits.refunded - t.credits.debited });
    const round4 = (v: number) => Math.round(v * 10_000) / 10_000;
    expect(doc.rates).toEqual({ failure: round4(t.requests.failed / t.requests.total), cancellation: round4(t.requests.cancelled / t.requests.total) });

    const durations = ofWeek(REPORT_WEEK).filter((r) => r.durationMs !== undefined).map((r) => r.durationMs!);
    expect(doc.durationMs).toEqual({ samples: durations.length, p50: nearestRank(durations, 0.5), p95: nearestRank(durations, 0.95), exact: true });

    const breakdown = (field: "model" | "style", ids: [string, string][]) =>
      ids.map(([id, displayName]) => {
        const rs = ofWeek(REPORT_WEEK).filter((r) => r[field] === id);
        return { id, displayName, requests: rs.length, credits: sum(rs.map((r) => r.cost)) };
      });
    const sortById = (xs: { id: string }[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
    expect(sortById(doc.byModel)).toEqual(sortById(breakdown("model", [["A", "Model A (SD 1.5)"], ["B", "Model B (SDXL)"], ["legacy", "Legacy model (retired)"], ["staging", "Virtual staging"]])));
    expect(sortById(doc.byStyle)).toEqual(
      sortById(breakdown("style", [["anime", "Anime"], ["realistic", "Realistic"], ["scandinavian", "Scandinavian interior"], ["vaporwave", "Vaporwave (disabled)"]])),
    );

    const usage = UIDS.map((uid) => {
      const rs = ofWeek(REPORT_WEEK).filter((r) => r.userId === uid);
      const refunded = rs.filter((r) => r.status === "failed" || r.status === "cancelled");
      return { uid, requests: rs.length, images: sum(rs.map((r) => r.numImages)), creditsDebited: sum(rs.map((r) => r.cost)), creditsRefunded: sum(refunded.map((r) => r.cost)) };
    }).sort((a, b) => b.creditsDebited - a.creditsDebited);
    expect(doc.activeUsers).toBe(5);
    expect(doc.topUsers).toEqual(usage);

    // The previous week is the whole truth: the incomplete stored report was not reused.
    const prev = truthTotals(WEEKS[8]);
    const d = (c: number, p: number) => ({ current: c, previous: p, change: c - p, pct: p === 0 ? null : round4((c - p) / p) });
    expect(doc.deltas).toEqual({
      previousWeek: WEEKS[8],
      requests: d(t.requests.total, prev.requests.total),
      images: d(t.images, prev.images),
      creditsDebited: d(t.credits.debited, prev.credits.debited),
      creditsRefunded: d(t.credits.refunded, prev.credits.refunded),
      failed: d(t.requests.failed, prev.requests.failed),
    });

    // The trend: 12 weeks to the report's week; the two weeks before the seed are empty.
    const trendWeeks = Array.from({ length: 12 }, (_, i) => shiftIsoWeek(REPORT_WEEK, i - 11));
    expect(doc.trend.map((p: { week: string }) => p.week)).toEqual(trendWeeks);
    expect(doc.trend.map((p: { generations: number }) => p.generations)).toEqual(trendWeeks.map((w) => ofWeek(w).length));
    expect(doc.trend.map((p: { credits: number }) => p.credits)).toEqual(trendWeeks.map((w) => sum(ofWeek(w).map((r) => r.cost))));

    // Anomalies: the same detector over the seeded truth, with only the weeks since each series
    // began (WEEKS[0] for the deployment and the seeded users), gives the same verdicts.
    const history = (f: (w: string) => number) => WEEKS.slice(0, 9).map(f);
    const userSeries = (uid: string) => history((w) => ofWeek(w).filter((r) => r.userId === uid).length);
    const expectedUser = detectSpike(userSeries(SPIKY), 30, { subject: `user ${SPIKY}` });
    expect(expectedUser.isSpike).toBe(true);
    expect(expectedUser.reason).toContain("expected about 6 from the last 9 weeks");
    const userAnomaly = doc.anomalies.find((a: { scope: string; subject: string }) => a.scope === "user" && a.subject === SPIKY);
    expect(userAnomaly).toEqual({ scope: "user", subject: SPIKY, metric: "generations", current: 30, baseline: expectedUser.baseline, score: expectedUser.score, reason: expectedUser.reason });
    expect(userAnomaly.reason).toContain(SPIKY);
    for (const uid of UIDS.slice(1)) expect(doc.anomalies.some((a: { subject: string }) => a.subject === uid)).toBe(false);
    // The newbie's 12 in their first week: with the weeks before their first request counted as
    // zeros, this would read as a burst from "about 0".
    expect(doc.topUsers.find((u: { uid: string }) => u.uid === NEWBIE).requests).toBe(12);
    expect(detectSpike(Array(12).fill(0), 12).isSpike).toBe(true);
    const globalGen = detectSpike(history((w) => ofWeek(w).length), t.requests.total);
    const globalCredits = detectSpike(history((w) => sum(ofWeek(w).map((r) => r.cost))), t.credits.debited, { metric: "credits" });
    expect(doc.anomalies.some((a: { scope: string; metric: string }) => a.scope === "global" && a.metric === "generations")).toBe(globalGen.isSpike);
    expect(doc.anomalies.some((a: { scope: string; metric: string }) => a.scope === "global" && a.metric === "credits")).toBe(globalCredits.isSpike);
    expect(doc.trend[11].anomalous).toBe(globalGen.isSpike || globalCredits.isSpike);
    // The deployment's first weeks are not bursts: the empty weeks before them are not history.
    expect(doc.trend.filter((p: { anomalous: boolean }) => p.anomalous).map((p: { week: string }) => p.week)).toEqual(doc.trend[11].anomalous ? [REPORT_WEEK] : []);
    expect(res.body.anomalies).toEqual(doc.anomalies);
    expect(res.body.anomaly).toBe(doc.anomalies[0].reason);
    expect(doc.anomaly).toBe(doc.anomalies[0].reason);

    expect(doc.chart).toMatchObject({ path: `reports/${REPORT_WEEK}/trend.png`, contentType: "image/png", width: 800, height: 400 });
    const png = fs.readFileSync(path.join(process.env.LOCAL_STORAGE_DIR!, doc.chart.path));
    expect(png.length).toBe(doc.chart.bytes);
    expect(await sharp(png).metadata()).toMatchObject({ format: "png", width: 800, height: 400 });
    expect(doc.cost.reads).toBeGreaterThan(0);
    expect(doc.complete).toBe(true);
    expect(doc.timeZone).toBe("UTC");
  });

  it("rewrites the same document on a rerun, and reuses the stored previous week's report", async () => {
    const first = (await report(REPORT_WEEK)).doc;
    const again = (await report(REPORT_WEEK)).doc;
    const strip = ({ generatedAt: _g, cost: _c, ...rest }: Record<string, unknown>) => rest;
    expect(strip(again)).toEqual(strip(first));
    expect(again.cost).toEqual(first.cost);
    expect((await db().collection("reports").where("week", "==", REPORT_WEEK).get()).size).toBe(1);

    await report(WEEKS[8]);
    const reused = (await report(REPORT_WEEK)).doc;
    expect(strip(reused)).toEqual(strip(first));
    // A stored week costs one document read instead of its aggregations.
    expect(reused.cost.reads).toBeLessThan(first.cost.reads);
  });

  it("writes a valid zero report for a week without data", async () => {
    const { res, doc } = await report("2033-W05");
    expect(res.body).toEqual({ reportStatus: "success", reportId: "2033-W05", anomalies: [] });
    expect(doc.requests).toEqual({ queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0, total: 0 });
    expect(doc.images).toBe(0);
    expect(doc.credits).toEqual({ debited: 0, refunded: 0, granted: 0, adjusted: 0, expired: 0, clawedBack: 0, grantedBySource: { plan: 0, pack: 0, promo: 0, admin: 0 }, net: 0 });
    expect(doc.rates).toEqual({ failure: 0, cancellation: 0 });
    expect(doc.durationMs).toEqual({ samples: 0, p50: null, p95: null, exact: true });
    expect(doc.byModel.every((m: { requests: number; credits: number }) => m.requests === 0 && m.credits === 0)).toBe(true);
    expect(doc.topUsers).toEqual([]);
    expect(doc.activeUsers).toBe(0);
    expect(doc.anomaly).toBeUndefined();
    expect(doc.trend).toHaveLength(12);
    expect(doc.chart.bytes).toBeGreaterThan(1000);
  });

  it("refuses non-admins, anonymous callers and bad weeks", async () => {
    const user = await signIn("user1@example.com");
    const denied = await callFunction("scheduleWeeklyReport", { token: user, body: { week: REPORT_WEEK } });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("PERMISSION_DENIED");
    expect((await callFunction("scheduleWeeklyReport", { body: {} })).status).toBe(401);
    for (const week of ["2031-W60", "2031-47", "hello", 2031]) {
      const bad = await callFunction("scheduleWeeklyReport", { token: admin, body: { week } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe("INVALID_ARGUMENT");
      expect(bad.body.error.details.fields[0].path).toBe("week");
    }
    const extra = await callFunction("scheduleWeeklyReport", { token: admin, body: { week: REPORT_WEEK, force: true } });
    expect(extra.status).toBe(400);
    expect((await callFunction("scheduleWeeklyReport", { method: "GET", token: admin })).status).toBe(405);
  });

  it("runs from the schedule for the week before the scheduled time", async () => {
    const before = (await db().doc(`reports/${REPORT_WEEK}`).get()).get("generatedAt").toMillis();
    const res = await invokeScheduled("weeklyReport", "2021-05-17T00:05:00Z");
    expect(res.status).toBe(200);
    const doc = (await db().doc(`reports/${REPORT_WEEK}`).get()).data()!;
    expect(doc.generatedAt.toMillis()).toBeGreaterThan(before);
    expect(doc.week).toBe(REPORT_WEEK);
    expect(doc.requests).toEqual(truthTotals(REPORT_WEEK).requests);
    expect(doc.anomalies.some((a: { subject: string }) => a.subject === SPIKY)).toBe(true);
  });
});

describe("the weekly report in REPORT_TIME_ZONE", () => {
  it("counts the week from Monday 00:00 to Monday 00:00 local time", async () => {
    // A deployment whose REPORT_TIME_ZONE is Berlin: its usage counters are keyed by Berlin
    // weeks (the money audit reads counters in the run's own zone, so this user's prefix is
    // excluded from it, for that reason only).
    const uid = `tzb_${run}_berlin`;
    // In Berlin (CEST, UTC+2) 2022-W20 runs from 2022-05-15T22:00Z to 2022-05-22T22:00Z: the
    // Sunday 23:30 request belongs to W19 and the Monday 00:30 one to W20, though both are
    // Sunday in UTC.
    const at = ["2022-05-15T21:30:00Z", "2022-05-15T22:30:00Z", "2022-05-22T21:30:00Z", "2022-05-22T22:30:00Z"];
    const weeks = ["2022-W19", "2022-W20", "2022-W20", "2022-W21"];
    const seeded: SeedRequest[] = at.map((iso, i) => ({
      id: `${uid}_${i}`, userId: uid, week: weeks[i], status: "succeeded", model: "A", style: "anime", numImages: 1, cost: 1, durationMs: 2000, createdAt: new Date(iso),
    }));
    const zone = process.env.REPORT_TIME_ZONE;
    process.env.REPORT_TIME_ZONE = "Europe/Berlin";
    try {
      await seedHistory(db(), seeded, [{ userId: uid, week: "2022-W19", amount: 10, createdAt: new Date(at[0]) }]);
    } finally {
      if (zone === undefined) delete process.env.REPORT_TIME_ZONE;
      else process.env.REPORT_TIME_ZONE = zone;
    }

    const berlin = await runWeeklyReport("2022-W20", { db: db(), store: noStore, timeZone: "Europe/Berlin" });
    expect(berlin).toMatchObject({ week: "2022-W20", timeZone: "Europe/Berlin", start: "2022-05-15T22:00:00.000Z", end: "2022-05-22T22:00:00.000Z", complete: true });
    expect(berlin.requests.total).toBe(2);
    expect(berlin.topUsers).toEqual([{ uid, requests: 2, images: 2, creditsDebited: 2, creditsRefunded: 0 }]);
    expect(berlin.trend.slice(-2).map((p) => [p.week, p.generations])).toEqual([["2022-W19", 1], ["2022-W20", 2]]);
    // The same label in UTC is another span: both Sunday requests fall in its W19.
    const utc = await runWeeklyReport("2022-W20", { db: db(), store: noStore, timeZone: "UTC" });
    expect(utc.trend.slice(-2).map((p) => [p.week, p.generations])).toEqual([["2022-W19", 2], ["2022-W20", 2]]);
  });
});
