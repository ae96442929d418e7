// Deterministic weeks of activity, planned here and written by write.ts through the production
// create, runner, cancel and sweeper paths. The plan is the truth a report is checked against;
// nothing in it is written to Firestore by hand.
import { parseIsoWeek } from "../../functions/src/shared/isoWeek";

export type SeedStatus = "running" | "succeeded" | "failed" | "cancelled";

export interface SeedRequest {
  id: string;
  userId: string;
  week: string;
  status: SeedStatus;
  model: string;
  style: string;
  numImages: number;
  /** What the catalog charges (checked against the create's price when seeded). */
  cost: number;
  /** Succeeded requests only: the runner's attempt, claim to completion. */
  durationMs?: number;
  createdAt: Date;
}

export interface SeedGrant {
  userId: string;
  week: string;
  amount: number;
  createdAt: Date;
}

/** The seeded catalog's prices for the 512x512 size; text-to-image models only (no input image to store). */
export const CREDITS_PER_IMAGE: Record<string, number> = { A: 1, B: 2 };
const MODELS = ["A", "A", "B"];
const STYLES = ["realistic", "anime", "scandinavian"];

/** counts[w][u] requests for user u in week w; statuses cycle so every week has each kind. */
export function planRequests(weeks: string[], uids: string[], counts: number[][]): SeedRequest[] {
  const out: SeedRequest[] = [];
  let seq = 0;
  weeks.forEach((week, w) => {
    const start = parseIsoWeek(week).start.getTime();
    uids.forEach((uid, u) => {
      for (let i = 0; i < counts[w][u]; i++, seq++) {
        const model = MODELS[seq % MODELS.length];
        const numImages = 1 + (seq % 3 === 0 ? 1 : 0);
        const k = seq % 10;
        const status: SeedStatus = k === 0 ? "failed" : k === 1 ? "cancelled" : k === 2 && w === weeks.length - 1 ? "running" : "succeeded";
        out.push({
          id: `${uid}_${week}_${i}`,
          userId: uid,
          week,
          status,
          model,
          style: STYLES[(seq >> 1) % STYLES.length],
          numImages,
          cost: CREDITS_PER_IMAGE[model] * numImages,
          durationMs: status === "succeeded" ? 1500 + ((seq * 7919) % 40_000) : undefined,
          // Spread over the first six days, so a job's ending (at most a minute later) stays in its week.
          createdAt: new Date(start + ((seq * 3_600_000 * 7) % (6 * 86_400_000)) + u * 1000 + i),
        });
      }
    });
  });
  return out;
}
