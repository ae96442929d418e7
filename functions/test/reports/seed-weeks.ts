// Deterministic weeks of activity written the way the ledger code writes them: a request, its
// debit entry, a refund for failed/cancelled requests, and the per-user weekly counters, all
// consistent with each other. The returned rows are the truth the report is checked against.
import { FieldValue, type Firestore } from "firebase-admin/firestore";
import { parseIsoWeek } from "../../src/shared/isoWeek";

export interface SeedRequest {
  id: string;
  userId: string;
  week: string;
  status: "queued" | "running" | "succeeded" | "failed" | "cancelled";
  model: string;
  style: string;
  numImages: number;
  cost: number;
  durationMs?: number;
  createdAt: Date;
}

export interface SeedGrant {
  userId: string;
  week: string;
  amount: number;
  createdAt: Date;
}

const CREDITS_PER_IMAGE: Record<string, number> = { A: 1, B: 2, staging: 2 };
const MODELS = ["A", "A", "B", "staging"];
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
        const status = k === 0 ? "failed" : k === 1 ? "cancelled" : k === 2 && w === weeks.length - 1 ? "running" : "succeeded";
        out.push({
          id: `${uid}_${week}_${i}`,
          userId: uid,
          week,
          status,
          model,
          style: STYLES[(seq >> 1) % STYLES.length],
          numImages,
          cost: CREDITS_PER_IMAGE[model] * numImages,
          durationMs: status === "succeeded" || status === "failed" ? 1500 + ((seq * 7919) % 40_000) : undefined,
          // Spread over the first six days so the refund a minute later stays in the week.
          createdAt: new Date(start + ((seq * 3_600_000 * 7) % (6 * 86_400_000)) + u * 1000 + i),
        });
      }
    });
  });
  return out;
}

/** Writes the requests and their ledger entries; usage counters are incremented, so a week can be written in parts. */
export async function writeSeed(db: Firestore, requests: SeedRequest[], grants: SeedGrant[]): Promise<void> {
  const writes: [string, Record<string, unknown>, boolean?][] = [];
  const usage = new Map<string, { uid: string; week: string; requests: number; images: number; creditsDebited: number; creditsRefunded: number }>();
  for (const g of grants) {
    writes.push([`users/${g.userId}/ledger/grant-${g.week}`, { type: "grant", amount: g.amount, balanceAfter: 0, reason: "seed", actor: "system:test", createdAt: g.createdAt }]);
  }
  for (const r of requests) {
    const refunded = r.status === "failed" || r.status === "cancelled";
    const finished = r.status === "succeeded" || r.status === "failed";
    writes.push([
      `generationRequests/${r.id}`,
      {
        userId: r.userId, status: r.status, model: r.model, style: r.style, color: "vibrant", size: "512x512", prompt: "seeded",
        numImages: r.numImages, seed: 1, cost: r.cost, attempts: finished ? 1 : 0, progress: finished ? 1 : 0, outputs: [],
        error: r.status === "failed" ? { code: "EXECUTION_ERROR", message: "seeded failure" } : null, refunded,
        createdAt: r.createdAt, updatedAt: r.createdAt,
        ...(r.durationMs !== undefined ? { durationMs: r.durationMs, startedAt: r.createdAt, finishedAt: new Date(r.createdAt.getTime() + r.durationMs) } : {}),
      },
    ]);
    writes.push([`users/${r.userId}/ledger/debit-${r.id}`, { type: "debit", amount: -r.cost, balanceAfter: 0, requestId: r.id, reason: "generation", actor: r.userId, createdAt: r.createdAt }]);
    if (refunded) {
      writes.push([`users/${r.userId}/ledger/refund-${r.id}`, { type: "refund", amount: r.cost, balanceAfter: 0, requestId: r.id, reason: r.status, actor: "system", createdAt: new Date(r.createdAt.getTime() + 60_000) }]);
    }
    const key = `${r.week}_${r.userId}`;
    const u = usage.get(key) ?? { uid: r.userId, week: r.week, requests: 0, images: 0, creditsDebited: 0, creditsRefunded: 0 };
    u.requests += 1;
    u.images += r.numImages;
    u.creditsDebited += r.cost;
    if (refunded) u.creditsRefunded += r.cost;
    usage.set(key, u);
  }
  for (const [key, u] of usage) {
    const inc = (n: number) => FieldValue.increment(n);
    const counts = { requests: inc(u.requests), images: inc(u.images), creditsDebited: inc(u.creditsDebited), creditsRefunded: inc(u.creditsRefunded) };
    writes.push([`usageWeekly/${key}`, { uid: u.uid, week: u.week, ...counts, updatedAt: new Date() }, true]);
  }
  for (let i = 0; i < writes.length; i += 400) {
    const batch = db.batch();
    for (const [path, data, merge] of writes.slice(i, i + 400)) batch.set(db.doc(path), data, { merge: !!merge });
    await batch.commit();
  }
}
