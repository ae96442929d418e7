// Queue figures on read: a queued request's position and ETA, a running one's ETA. Computed when
// a request is read (eta.ts does the arithmetic), which costs a few reads per pool and call and
// never a write, rather than stored on every queued job each time anything moves.
import { FieldPath, type DocumentSnapshot, type Firestore } from "firebase-admin/firestore";
import { etaKeyOf, perImageFrom, planQueue, runningEta, type QueueFigures, type QueueJob } from "./eta";

export interface QueueConfig { QUEUE_POOL_SLOTS: number; ETA_DEFAULT_SECONDS_PER_IMAGE: number; QUEUE_SCAN_LIMIT: number }

export const DEFAULT_POOL = "default";
const poolOf = (d: DocumentSnapshot) => (d.get("pool") as string | undefined) ?? DEFAULT_POOL;

function jobOf(d: DocumentSnapshot): QueueJob {
  const render = d.get("render") ?? {};
  return { id: d.id, etaKey: (d.get("etaKey") as string | undefined) ?? etaKeyOf(render), images: Number(render.batchSize ?? d.get("numImages") ?? 1), progress: Number(d.get("progress") ?? 0) };
}

/** Figures for each queued or running request among `docs`; the others get none. */
export async function queueFigures(db: Firestore, docs: DocumentSnapshot[], cfg: QueueConfig): Promise<Map<string, QueueFigures>> {
  const out = new Map<string, QueueFigures>();
  const live = docs.filter((d) => d.get("status") === "queued" || d.get("status") === "running");
  for (const pool of new Set(live.map(poolOf))) {
    const mine = live.filter((d) => poolOf(d) === pool);
    const col = db.collection("generationRequests").where("pool", "==", pool);
    const [running, queued] = await Promise.all([
      col.where("status", "==", "running").limit(cfg.QUEUE_SCAN_LIMIT).get(),
      col.where("status", "==", "queued").orderBy("createdAt").orderBy(FieldPath.documentId()).limit(cfg.QUEUE_SCAN_LIMIT).get(),
    ]);
    const runningJobs = running.docs.map(jobOf);
    const queuedJobs = queued.docs.map(jobOf);
    const perImage = await estimates(db, [...runningJobs, ...queuedJobs, ...mine.map(jobOf)].map((j) => j.etaKey), cfg.ETA_DEFAULT_SECONDS_PER_IMAGE);
    const plan = planQueue(runningJobs, queuedJobs, cfg.QUEUE_POOL_SLOTS, perImage);
    for (const d of mine) {
      if (d.get("status") === "running") out.set(d.id, { position: null, etaSeconds: runningEta(jobOf(d), perImage) });
      else out.set(d.id, plan.get(d.id) ?? (await beyondScan(d, queuedJobs, runningJobs, cfg, perImage)));
    }
  }
  return out;
}

/** A queued request past the jobs read: its position is counted, the jobs ahead estimated at the average of those read. */
async function beyondScan(d: DocumentSnapshot, read: QueueJob[], running: QueueJob[], cfg: QueueConfig, perImage: (k: string) => number): Promise<QueueFigures> {
  const col = d.ref.parent.where("pool", "==", poolOf(d)).where("status", "==", "queued");
  const createdAt = d.get("createdAt");
  const [before, tied] = await Promise.all([
    col.where("createdAt", "<", createdAt).count().get(),
    col.where("createdAt", "==", createdAt).where(FieldPath.documentId(), "<", d.id).count().get(),
  ]);
  const position = before.data().count + tied.data().count;
  const average = read.length ? read.reduce((s, j) => s + j.images * perImage(j.etaKey), 0) / read.length : cfg.ETA_DEFAULT_SECONDS_PER_IMAGE;
  return planQueue(running, [jobOf(d)], cfg.QUEUE_POOL_SLOTS, perImage, position, average).get(d.id)!;
}

/** The runners' measured seconds per image for each key (etaStats/{key}); unmeasured keys as perImageFrom says. */
async function estimates(db: Firestore, keys: string[], fallback: number): Promise<(key: string) => number> {
  const unique = [...new Set(keys)];
  const snaps = unique.length ? await db.getAll(...unique.map((k) => db.collection("etaStats").doc(k))) : [];
  return perImageFrom(new Map(snaps.filter((s) => s.exists).map((s) => [s.id, Number(s.get("meanSecondsPerImage"))])), fallback);
}
