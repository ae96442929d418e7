// A few weeks of usage for the dev reports page, written through the production create, runner,
// cancel and sweeper paths (test-support/seed-history, the same module the report tests seed
// with), so the page has figures and every entry agrees with the money rules. That module is
// TypeScript; it is bundled here with esbuild. The Admin SDK and native packages stay external
// (resolved from the repo root); the rest is bundled from where the sources resolve it
// (functions/ has its own firebase-functions and zod).
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { repoRoot } from "./env.mjs";

/** Users with history only (no sign-in): the reports' top users and trend. */
export const HISTORY_UIDS = ["history_studio", "history_agency", "history_hobbyist"];
const WEEKS = 6;

export async function seedUsageHistory(db, now = new Date()) {
  const outfile = path.join(repoRoot, ".data", "seed-history.bundle.mjs");
  await build({
    entryPoints: [path.join(repoRoot, "test-support", "seed-history", "index.ts")],
    bundle: true, platform: "node", format: "esm", outfile, logLevel: "warning",
    external: ["firebase-admin", "firebase-admin/*", "@google-cloud/*", "google-auth-library", "sharp", "stripe"],
    // Bundled CommonJS (firebase-functions) calls require(); an ES module has none of its own.
    banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' },
  });
  const { planRequests, seedHistory, lastCompleteIsoWeek, shiftIsoWeek, parseIsoWeek } = await import(pathToFileURL(outfile).href);
  const last = lastCompleteIsoWeek(now);
  const weeks = Array.from({ length: WEEKS }, (_, i) => shiftIsoWeek(last, i - WEEKS + 1));
  // Steady use, and the studio's burst in the last week, so the page shows an anomaly.
  const counts = weeks.map((_, w) => [w === WEEKS - 1 ? 24 : 5, 3 + (w % 2), w % 3 === 0 ? 1 : 0]);
  // Nothing is left running: a dev stack's sweeper would end it (no runner holds it).
  const requests = planRequests(weeks, HISTORY_UIDS, counts).map((r) => (r.status === "running" ? { ...r, status: "succeeded", durationMs: 4_000 } : r));
  const opening = parseIsoWeek(weeks[0]).start;
  await seedHistory(db, requests, HISTORY_UIDS.map((userId) => ({ userId, week: weeks[0], amount: 500, createdAt: opening })));
  return { weeks, requests: requests.length };
}
