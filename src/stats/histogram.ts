// Percentiles from the per-day duration histograms (migration 20261203600000_ticket_daily_stats).
// The database puts a duration of s seconds in bucket 0 when s < 1 and otherwise in
// k = 1 + floor(8·log2 s), i.e. [2^((k-1)/8), 2^(k/8)) — eight buckets per doubling, fixed for all
// days, so the buckets of any set of days simply add up. A percentile is read as the bucket that
// holds the nearest-rank value and reported as that bucket's geometric midpoint 2^((k-½)/8), which
// is within a factor 2^(1/16) of every value in the bucket:
//
//   |estimate − exact nearest-rank percentile| ≤ 4.4 % of the exact value (values ≥ 1 s; < 1 s → 0)
//
// (the nearest-rank percentile is percentile_disc; percentile_cont interpolates between two
// neighbouring values, which only matters for small samples, where stats read the rows exactly).

/** Buckets per doubling, as in ticket_stat_bucket(). */
export const BUCKETS_PER_DOUBLING = 8;

/** The documented bound: 2^(1/16) − 1. */
export const HISTOGRAM_MAX_RELATIVE_ERROR = 2 ** (1 / (2 * BUCKETS_PER_DOUBLING)) - 1;

/** The value a bucket stands for, in seconds. */
export function bucketMidpoint(bucket: number): number {
  if (bucket <= 0) return 0;
  return 2 ** ((bucket - 0.5) / BUCKETS_PER_DOUBLING);
}

/** bucket → count; counts may arrive in several parts (days, deltas) and are added. */
export type Histogram = Map<number, number>;

export function addToHistogram(h: Histogram, bucket: number, n: number): void {
  const v = (h.get(bucket) ?? 0) + n;
  if (v === 0) h.delete(bucket);
  else h.set(bucket, v);
}

export function histogramCount(h: Histogram): number {
  let total = 0;
  for (const n of h.values()) total += n;
  return total;
}

/**
 * Nearest-rank percentiles (p in (0, 1]) estimated from the buckets, null when empty. Rounded to
 * whole seconds like the exact figures.
 */
export function histogramPercentiles(h: Histogram, ps: readonly number[]): Array<number | null> {
  const total = histogramCount(h);
  if (total <= 0) return ps.map(() => null);
  const buckets = [...h.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  return ps.map((p) => {
    const rank = Math.max(1, Math.ceil(p * total));
    let seen = 0;
    for (const [bucket, n] of buckets) {
      seen += n;
      if (seen >= rank) return Math.round(bucketMidpoint(bucket));
    }
    return Math.round(bucketMidpoint(buckets.at(-1)![0]));
  });
}
