/**
 * What the rollup tables (schema v3) keep, shared by the writer (rollup-writer.ts), the
 * v3 backfill and the report side (src/report/rollup-*.ts). Changing any value here
 * changes the meaning of stored rollups: do it only together with a new migration.
 *
 * Time: rollups are bucketed by UTC hour (`hour` = ms since the epoch of the hour's
 * start). Every zone whose offset is a whole number of hours starts its local days,
 * weeks and months on a UTC hour, so its day/week/month reports add whole hours exactly.
 * Zones with half- or quarter-hour offsets (Asia/Kolkata, Asia/Kathmandu,
 * Australia/Adelaide, America/St_Johns) read the one UTC hour that straddles each of
 * their boundaries from raw rows; see src/report/rollup-plan.ts.
 */

/** One rollup bucket: a UTC hour, in ms. */
export const HOUR_MS = 3_600_000;

/** Start (ms) of the UTC hour containing `ts`. */
export function hourOf(ts: number): number {
  return Math.floor(ts / HOUR_MS) * HOUR_MS;
}

export const MINUTE_MS = 60_000;

/** Start (ms) of the UTC minute containing `ts`: the grain of entity_months' time indexes (migrations/010). */
export function minuteOf(ts: number): number {
  return Math.floor(ts / MINUTE_MS) * MINUTE_MS;
}

/** Start (ms) of the UTC calendar day containing `ts`; the unit of the cardinality limit. */
export function utcDayOf(ts: number): number {
  return Math.floor(ts / 86_400_000) * 86_400_000;
}

/** Start (ms) of the UTC calendar month containing `ts`, shifted by `add` months. */
export function utcMonthOf(ts: number, add = 0): number {
  const d = new Date(ts);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + add, 1);
}

/**
 * utcMonthOf for times that mostly fall in one month (the calls of a batch): remembers the
 * last month's bounds, so a time inside them costs two comparisons instead of two Dates.
 */
export function utcMonthCursor(): (ts: number) => number {
  let start = Infinity;
  let end = -Infinity;
  return (ts) => {
    if (ts < start || ts >= end) [start, end] = [utcMonthOf(ts), utcMonthOf(ts, 1)];
    return start;
  };
}

/** Group value for "the call has no such tag"; equal to report/types.ts NONE (store does not import report). */
export const ROLLUP_NONE = '(none)';

/**
 * A tag key stops being rolled up once one UTC day holds more distinct values of it than
 * this. Its rollup rows are then deleted and reports grouping or filtering by it read raw
 * rows (sticky: the key never comes back). Bounds rollups to keys × days × this many values.
 */
export const MAX_TAG_VALUES_PER_DAY = 1000;

/**
 * Per-user / per-session keys. Never rolled up as tag values; instead they get
 * entity_months rows (exact distinct counts and per-entity sums) and a presence bit in
 * rollup_dims.entity_mask, so "calls with a session_id" is answered from rollups.
 * `segments` are the tag keys each entity is also counted by (unit economics: active
 * users per tier and tenant, sessions per tier).
 */
export const ENTITY_KEYS = [
  { key: 'user_id', bit: 1, segments: ['user_tier', 'tenant_id'] },
  { key: 'session_id', bit: 2, segments: ['user_tier'] },
] as const;

/** Request-scoped ids that are never rolled up (besides the entity keys). */
export const DENYLISTED_TAG_KEYS: readonly string[] = [
  ...ENTITY_KEYS.map((e) => e.key),
  'request_id',
  'trace_id',
  'span_id',
  'message_id',
  'conversation_id',
  'thread_id',
  'idempotency_key',
];

/**
 * The tag keys whose values also get postings (call_postings, one row per value and write
 * batch listing its call ids) on SQLite (schema v12; call_tags rows from v9): the keys
 * never rolled up, so only raw rows answer a report on one user, session or conversation,
 * and the postings keep that a lookup. Every other tag is read from calls.tags.
 * migrations/009-entity-tag-rows.ts wrote this list out: changing it needs a migration.
 */
export const TAG_ROW_KEYS: ReadonlySet<string> = new Set(DENYLISTED_TAG_KEYS);

/**
 * Latency histogram: fixed log-scale buckets, 8 per doubling. Bucket 0 holds [0, 1) ms;
 * bucket i (1 ≤ i < LATENCY_BUCKETS - 1) holds [2^((i-1)/8), 2^(i/8)) ms; the last
 * bucket holds everything from 2^31.875 ms (~48 days) up.
 *
 * p50 from a histogram reports each middle value as its bucket's geometric midpoint
 * 2^((i-0.5)/8), so it is within a factor 2^(1/16) of the true value: relative error
 * below 4.43% (0.5 ms absolute under 1 ms). The median of an even count is the mean of
 * two such estimates and keeps the same bound.
 */
export const LATENCY_BUCKETS_PER_DOUBLING = 8;
export const LATENCY_BUCKETS = 1 + 32 * LATENCY_BUCKETS_PER_DOUBLING;
/** Documented relative error bound of a histogram p50 (for latencies ≥ 1 ms). */
export const P50_RELATIVE_ERROR = 2 ** (1 / (2 * LATENCY_BUCKETS_PER_DOUBLING)) - 1;

/** Lower bound (ms) of each bucket; bucket 0 starts at 0 (negative values also land there). */
export const LATENCY_BUCKET_LOW: readonly number[] = Array.from({ length: LATENCY_BUCKETS }, (_, i) =>
  i === 0 ? 0 : 2 ** ((i - 1) / LATENCY_BUCKETS_PER_DOUBLING),
);

/** Value (ms) a bucket stands for in a histogram p50: its geometric midpoint (0.5 for bucket 0). */
export function latencyBucketMid(bucket: number): number {
  return bucket === 0 ? 0.5 : 2 ** ((bucket - 0.5) / LATENCY_BUCKETS_PER_DOUBLING);
}

/** The bucket of a latency in ms; consistent with LATENCY_BUCKET_LOW (which the SQL backfill uses). */
export function latencyBucket(ms: number): number {
  if (!(ms >= 1)) return 0;
  let i = Math.min(LATENCY_BUCKETS - 1, 1 + Math.floor(LATENCY_BUCKETS_PER_DOUBLING * Math.log2(ms)));
  while (i > 1 && ms < LATENCY_BUCKET_LOW[i]!) i--;
  while (i < LATENCY_BUCKETS - 1 && ms >= LATENCY_BUCKET_LOW[i + 1]!) i++;
  return i;
}

/**
 * rollups.latency_hist is JSON text `[bucket, calls, bucket, calls, …]`, buckets
 * ascending and calls > 0: one text value per row instead of one row per bucket keeps a
 * month's histograms to a few thousand rows.
 */
export function formatLatencyHist(pairs: readonly number[]): string {
  return `[${pairs.join(',')}]`;
}

/**
 * A stored `[bucket, calls, …]` list (ascending) plus a batch's bucket → calls counts,
 * as a new ascending list with calls > 0. One merge pass; the batch is usually a few
 * buckets.
 */
export function mergeLatencyPairs(pairs: readonly number[], add: ReadonlyMap<number, number>): number[] {
  const extra = [...add.keys()].sort((x, y) => x - y);
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < pairs.length || j < extra.length) {
    const stored = i < pairs.length ? pairs[i]! : Infinity;
    const added = j < extra.length ? extra[j]! : Infinity;
    const bucket = Math.min(stored, added);
    let calls = 0;
    if (stored === bucket) {
      calls += pairs[i + 1]!;
      i += 2;
    }
    if (added === bucket) {
      calls += add.get(added)!;
      j += 1;
    }
    if (calls > 0) out.push(bucket, calls);
  }
  return out;
}

/** The flat [bucket, calls, …] pairs of a latency_hist text. */
export function parseLatencyHist(text: string): number[] {
  return JSON.parse(text) as number[];
}
