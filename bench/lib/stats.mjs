// Pure statistics for the benchmarks (unit-tested in bench/test). Nearest-rank percentiles: every
// figure printed is a value that was actually measured, never an interpolation.

/** Nearest-rank percentile, p in [0, 100]; NaN for no samples. */
export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

export const median = (xs) => percentile(xs, 50);

/** What a figure is reported as: the median over repeated runs, with their spread. */
export function summarize(xs) {
  const finite = xs.filter((x) => Number.isFinite(x));
  if (finite.length === 0) return { median: null, min: null, max: null, n: 0 };
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), n: finite.length };
}

/** a / b, or null when either side is missing or b is 0. */
export function ratio(a, b) {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : null;
}

/** Gaps between consecutive intervals sorted by start ([{start, end}]): idle time between them, never negative. */
export function gaps(intervals) {
  const s = [...intervals].sort((a, b) => a.start - b.start);
  const out = [];
  let busyUntil = -Infinity;
  for (const iv of s) {
    if (busyUntil !== -Infinity) out.push(Math.max(0, iv.start - busyUntil));
    busyUntil = Math.max(busyUntil, iv.end);
  }
  return out;
}

/** Total time covered by the union of intervals. */
export function busyTime(intervals) {
  const s = [...intervals].sort((a, b) => a.start - b.start);
  let total = 0;
  let cur = null;
  for (const iv of s) {
    if (!cur || iv.start > cur.end) {
      if (cur) total += cur.end - cur.start;
      cur = { ...iv };
    } else cur.end = Math.max(cur.end, iv.end);
  }
  return total + (cur ? cur.end - cur.start : 0);
}
