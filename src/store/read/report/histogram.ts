import { LATENCY_BUCKETS, latencyBucketMid } from '../../rollup-policy.js';

/**
 * Latency histograms: calls per fixed log-scale bucket (store/rollup-policy.ts), dense,
 * indexed by bucket. Counts may be added and subtracted (a group's histogram is built
 * from signed rollup parts); they are exact, so the median's bucket is exact and only
 * the value inside the bucket is estimated (its geometric midpoint: within
 * P50_RELATIVE_ERROR of the true median).
 */
export type Histogram = Float64Array;

export function newHistogram(): Histogram {
  return new Float64Array(LATENCY_BUCKETS);
}

/** Adds flat [bucket, calls, …] pairs (a parsed rollups.latency_hist) to `into`, times `sign`. */
export function addPairs(into: Histogram, pairs: readonly number[], sign = 1): void {
  for (let i = 0; i < pairs.length; i += 2) into[pairs[i]!]! += sign * pairs[i + 1]!;
}

/**
 * Median as raw.ts defines it (mean of the middle two for an even count), from
 * bucket midpoints; null for an empty histogram.
 */
export function histogramP50(h: Histogram): number | null {
  let total = 0;
  for (const n of h) total += n;
  if (total <= 0) return null;
  const ranks = [Math.floor((total + 1) / 2), Math.floor((total + 2) / 2)];
  const values: number[] = [];
  let seen = 0;
  for (let bucket = 0; bucket < h.length && values.length < 2; bucket++) {
    seen += h[bucket]!;
    while (values.length < 2 && h[bucket]! > 0 && ranks[values.length]! <= seen) values.push(latencyBucketMid(bucket));
  }
  return (values[0]! + values[1]!) / 2;
}
