import { latencyBucketMid } from '../store/rollup-policy.js';

/**
 * Latency histograms (bucket → number of calls) and the p50 they imply. Buckets are the
 * fixed log-scale buckets of store/rollup-policy.ts; counts may be added and subtracted
 * (a group's histogram is built from signed rollup parts), and a histogram is exact in
 * its counts, so the median's bucket is exact and only the value inside the bucket is
 * estimated (its geometric midpoint: within P50_RELATIVE_ERROR of the true median).
 */
export type Histogram = Map<number, number>;

export function addTo(into: Histogram, bucket: number, n: number): void {
  into.set(bucket, (into.get(bucket) ?? 0) + n);
}

/**
 * Median as raw-source.ts defines it (mean of the middle two for an even count), from
 * bucket midpoints; null for an empty histogram.
 */
export function histogramP50(h: Histogram): number | null {
  const buckets = [...h.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((a, [, n]) => a + n, 0);
  if (total === 0) return null;
  const ranks = [Math.floor((total + 1) / 2), Math.floor((total + 2) / 2)];
  const values: number[] = [];
  let seen = 0;
  for (const [bucket, n] of buckets) {
    seen += n;
    while (values.length < 2 && ranks[values.length]! <= seen) values.push(latencyBucketMid(bucket));
    if (values.length === 2) break;
  }
  return (values[0]! + values[1]!) / 2;
}
