// Queue position and ETA, pure. A pool's jobs run `slots` at a time in creation order (Cloud
// Tasks dispatches in order; each runner takes MAX_CONCURRENT_JOBS). Each job's execution time
// is its images × the measured seconds per image of its template, size and upscale (the runner's
// rolling estimate, eta-stats.repo.ts in the runner). A running job has (1 − progress) of it
// left. The ETA of a queued job is list scheduling of the work ahead of it onto the slots: the
// time its slot frees up plus its own execution time.

export interface QueueJob {
  id: string;
  /** The estimate's key: template, size and upscale (etaKeyOf). */
  etaKey: string;
  images: number;
  /** 0..1, running jobs only. */
  progress?: number;
}

export interface QueueFigures { position: number | null; etaSeconds: number }

/** Pure: the estimate key of a render spec; created requests store it as `etaKey`. */
export function etaKeyOf(render: { workflow: string; width: number; height: number; upscale?: { factor: number; refine?: unknown } }): string {
  const up = render.upscale ? `-x${render.upscale.factor}${render.upscale.refine ? "r" : ""}` : "";
  return `${render.workflow}@${render.width}x${render.height}${up}`;
}

export type PerImage = (etaKey: string) => number;

/**
 * Pure: seconds per image by key from the measured estimates. A key not measured yet takes the
 * mean of the measured ones (the same GPUs run it), or `fallback` when nothing is measured.
 */
export function perImageFrom(known: Map<string, number>, fallback: number): PerImage {
  const valid = [...known.values()].filter((v) => Number.isFinite(v) && v >= 0);
  const unmeasured = valid.length ? valid.reduce((s, v) => s + v, 0) / valid.length : fallback;
  return (key) => {
    const v = known.get(key);
    return v !== undefined && Number.isFinite(v) && v >= 0 ? v : unmeasured;
  };
}

const duration = (j: QueueJob, perImage: PerImage) => Math.max(0, j.images) * perImage(j.etaKey);

/** Seconds left of a running job. */
export function runningEta(job: QueueJob, perImage: PerImage): number {
  return Math.ceil(duration(job, perImage) * (1 - Math.min(1, Math.max(0, job.progress ?? 0))));
}

/**
 * Figures for every queued job in `queued` (creation order, the first is next), given the pool's
 * running jobs. `extraAhead` jobs of `extraSeconds` each stand before the first (a queue longer
 * than what was read: they are counted, not read).
 */
export function planQueue(running: QueueJob[], queued: QueueJob[], slots: number, perImage: PerImage, extraAhead = 0, extraSeconds = 0): Map<string, QueueFigures> {
  // A slot is busy until its running job ends; more running jobs than slots each hold one.
  const free = running.map((j) => runningEta(j, perImage));
  while (free.length < Math.max(1, slots)) free.push(0);
  const take = (seconds: number) => {
    let i = 0;
    for (let k = 1; k < free.length; k++) if (free[k] < free[i]) i = k;
    free[i] += seconds;
    return free[i];
  };
  for (let k = 0; k < extraAhead; k++) take(extraSeconds);
  const out = new Map<string, QueueFigures>();
  queued.forEach((j, i) => out.set(j.id, { position: extraAhead + i, etaSeconds: Math.ceil(take(duration(j, perImage))) }));
  return out;
}
