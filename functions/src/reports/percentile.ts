// Percentiles of job durations with a bounded number of count() queries.
//
// Aggregation queries cannot compute percentiles, and reading every terminal request would make
// the report's cost grow with volume. Instead: bisect over a fixed log-spaced grid of durations
// (5 % steps from 100 ms to 2 h, ~230 points) with `count(durationMs <= x)`; ~8 counts locate the
// bucket holding each percentile, and counts are cached so p50 and p95 share the early steps.
// When the located bucket holds few requests (<= refineLimit) they are read to give the exact
// value; otherwise the bucket's upper bound is reported (at most 5 % high) and `exact` is false.
// A histogram maintained by the runner would be cheaper still, but the runner is a different
// component and the bisection needs nothing from it.
import type { Durations } from "./types";

export interface DurationSource {
  /** Requests of the week with durationMs <= x. */
  countAtMost(x: number): Promise<number>;
  /** durationMs values in (lo, hi], ascending or not. */
  valuesBetween(lo: number, hi: number): Promise<number[]>;
}

export function durationGrid(minMs = 100, maxMs = 2 * 3600_000, ratio = 1.05): number[] {
  const grid = [0];
  for (let x = minMs; x < maxMs * ratio; x *= ratio) {
    const v = Math.round(x);
    if (v > grid[grid.length - 1]) grid.push(v);
  }
  return grid;
}

const GRID = durationGrid();

/** Nearest-rank percentile: the smallest value with at least ceil(p × n) values at or below it. */
export function nearestRank(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
}

export async function bisectPercentiles(
  source: DurationSource,
  total: number,
  ps: number[],
  opts: { grid?: number[]; refineLimit?: number } = {},
): Promise<{ values: (number | null)[]; exact: boolean }> {
  const grid = opts.grid ?? GRID;
  const refineLimit = opts.refineLimit ?? 200;
  if (total === 0) return { values: ps.map(() => null), exact: true };
  const cache = new Map<number, number>();
  const countAt = async (i: number) => {
    if (i < 0) return 0;
    if (i >= grid.length) return total;
    if (!cache.has(i)) cache.set(i, await source.countAtMost(grid[i]));
    return cache.get(i)!;
  };
  let exact = true;
  const values: (number | null)[] = [];
  for (const p of ps) {
    const target = Math.max(1, Math.ceil(p * total));
    // Invariant: count(lo) < target <= count(hi); index grid.length stands for +infinity.
    let lo = -1;
    let hi = grid.length;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((await countAt(mid)) >= target) hi = mid;
      else lo = mid;
    }
    const below = await countAt(lo);
    const inBucket = (await countAt(hi)) - below;
    const loValue = lo < 0 ? -1 : grid[lo];
    const hiValue = hi >= grid.length ? Number.MAX_SAFE_INTEGER : grid[hi];
    if (inBucket <= refineLimit) {
      const vals = (await source.valuesBetween(loValue, hiValue)).sort((a, b) => a - b);
      values.push(vals[target - below - 1] ?? hiValue);
    } else {
      exact = false;
      values.push(hi >= grid.length ? grid[grid.length - 1] : hiValue);
    }
  }
  return { values, exact };
}

export async function durationPercentiles(source: DurationSource, total: number, refineLimit?: number): Promise<Durations> {
  const { values, exact } = await bisectPercentiles(source, total, [0.5, 0.95], { refineLimit });
  return { samples: total, p50: values[0], p95: values[1], exact };
}
