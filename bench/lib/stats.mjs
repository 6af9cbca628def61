/** Small statistics helpers: percentiles over raw samples, and a sorted-once summary. */

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

/** { n, p50, p90, p99, max, mean } of samples (any unit), sorting a copy. */
export function summary(samples) {
  const s = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s.length ? s[s.length - 1] : NaN, mean: s.length ? sum / s.length : NaN };
}

/** Median of a few numbers (per-round figures → one figure). */
export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Per-round figures as `median (min … max)`, `digits` decimals, 'n/a' for a figure that is not a number. */
export function medianRange(values, digits = 2) {
  const n = (v) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
  return `${n(median(values))} (${n(Math.min(...values))} … ${n(Math.max(...values))})`;
}

/** Least-squares slope of y over x (e.g. RSS MB per minute over a soak). */
export function slope(xs, ys) {
  const n = xs.length;
  if (n < 2) return NaN;
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i];
    sy += ys[i];
    sxx += xs[i] * xs[i];
    sxy += xs[i] * ys[i];
  }
  const d = n * sxx - sx * sx;
  return d === 0 ? NaN : (n * sxy - sx * sy) / d;
}

export function fmt(v, digits = 2) {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (typeof v === 'string') return v;
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(digits);
}

/** Appends every item of `items` to `target` (a loop: `push(...items)` overflows the stack past ~100k samples). */
export function appendAll(target, items) {
  for (const item of items) target.push(item);
  return target;
}
