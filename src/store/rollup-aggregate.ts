import { accumulate, callMeasures, zeroMeasures, type MeasuredCall, type Measures } from './measures.js';
import { isReached } from './reached.js';
import { ENTITY_KEYS, ROLLUP_NONE, hourOf, latencyBucket, utcDayOf, utcMonthOf } from './rollup-policy.js';
import type { CallOutcome, CallRecord } from './types.js';

/**
 * A batch of calls summed in memory the way the rollup tables keep them (migrations
 * 003 and 006): one cell per dims row × UTC hour, one entity row per (entity key,
 * segment, month, segment value, entity value). Pure, and shared by both writers: the
 * SQLite rollup writer (rollup-writer.ts), the PostgreSQL one (pg/rollup-batch.ts) and
 * repricing (reprice.ts: a batch's cost changes, summed into the same rows), so every
 * writer picks the same rows for a call.
 */

/** The fields of one stored call that rollups need. Money nano-USD, times ms. */
export interface RolledCall extends MeasuredCall {
  ts: number;
  keyName: string | null;
  provider: string;
  endpoint: string;
  /** COALESCE(model, model_requested). */
  model: string | null;
  outcome: CallOutcome;
  /** HTTP status the client got. */
  status: number;
  /** Reached the provider (reached.ts). */
  reached: boolean;
  latencyMs: number;
  tags: readonly (readonly [string, string])[];
}

/** A RolledCall from a call record that callToParams accepted (so its fields have the right types). */
export function rolledCall(r: CallRecord, tags: readonly (readonly [string, string])[]): RolledCall {
  const usage = r.usage ?? null;
  return {
    ts: r.ts,
    keyName: r.keyName ?? null,
    provider: r.provider,
    endpoint: r.endpoint,
    model: r.model ?? r.modelRequested ?? null,
    outcome: r.outcome,
    status: r.status,
    reached: isReached({ outcome: r.outcome, ttfbMs: r.ttfbMs ?? null, usageSource: r.usageSource }),
    costNano: r.costNano ?? null,
    usageSource: r.usageSource,
    inputTokens: usage?.inputTokens ?? null,
    outputTokens: usage?.outputTokens ?? null,
    cachedInputTokens: usage?.cacheReadTokens ?? null,
    latencyMs: r.latencyMs,
    tags,
  };
}

/** rollup_dims columns in table order: key_name, provider, endpoint, model, entity_mask, outcome, status, reached, tag_key, tag_value. */
export type DimsRow = [string | null, string, string, string | null, number, string, number, number, string, string];

export interface RollupCell {
  /** rollup_dims.ident: the dims row as a JSON array. */
  ident: string;
  dims: DimsRow;
  hour: number;
  sums: Measures;
  /** Latency bucket → calls. */
  latency: Map<number, number>;
}

export interface EntityCell {
  key: string;
  segKey: string;
  month: number;
  segValue: string;
  value: string;
  first: number;
  last: number;
  sums: Measures;
}

export interface AggregatedBatch {
  cells: RollupCell[];
  entities: EntityCell[];
  /** Earliest and latest UTC hour of the batch (ms); ±Infinity when empty. */
  minHour: number;
  maxHour: number;
}

/**
 * Sums `calls`: every call adds to its '' dims row and to one row per tag whose key
 * `rolledUp` says is rolled up; entity keys (user_id, session_id) of calls that reached
 * the provider add to entity rows per segment. What a call adds is `measure(call)`: its
 * measures (the default) or, for repricing, the change of its measures. Cells and
 * entities come out in one fixed order (by their identity), so writers that lock rows in
 * this order never deadlock one another.
 */
export function aggregateRollups<C extends RolledCall>(
  calls: readonly C[],
  rolledUp: (key: string) => boolean,
  measure: (call: C) => Measures = callMeasures,
): AggregatedBatch {
  const cells = new Map<string, RollupCell>();
  const entities = new Map<string, EntityCell>();
  let minHour = Infinity;
  let maxHour = -Infinity;
  for (const c of calls) {
    const sums = measure(c);
    const hour = hourOf(c.ts);
    minHour = Math.min(minHour, hour);
    maxHour = Math.max(maxHour, hour);
    const tags = new Map(c.tags);
    let mask = 0;
    for (const e of ENTITY_KEYS) if (tags.has(e.key)) mask |= e.bit;
    const reached = c.reached ? 1 : 0;
    const bucket = latencyBucket(c.latencyMs);
    // The ident is the dims row as a JSON array: the fixed part is written once per call.
    const base = JSON.stringify([c.keyName, c.provider, c.endpoint, c.model, mask, c.outcome, c.status, reached]).slice(0, -1);
    const addTo = (tagKey: string, tagValue: string) => {
      const ident = tagKey === '' ? `${base},"",""]` : `${base},${JSON.stringify(tagKey)},${JSON.stringify(tagValue)}]`;
      const id = `${hour}|${ident}`;
      let cell = cells.get(id);
      if (!cell) {
        const dims: DimsRow = [c.keyName, c.provider, c.endpoint, c.model, mask, c.outcome, c.status, reached, tagKey, tagValue];
        cells.set(id, (cell = { ident, dims, hour, sums: zeroMeasures(), latency: new Map() }));
      }
      accumulate(cell.sums, sums);
      cell.latency.set(bucket, (cell.latency.get(bucket) ?? 0) + 1);
    };
    addTo('', '');
    for (const [k, v] of c.tags) if (rolledUp(k)) addTo(k, v);

    // Entity rows count the calls the provider served (active users are users it served).
    if (!c.reached) continue;
    const month = utcMonthOf(c.ts);
    for (const e of ENTITY_KEYS) {
      const value = tags.get(e.key);
      if (value === undefined) continue;
      for (const seg of ['', ...e.segments]) {
        const segValue = seg === '' ? '' : (tags.get(seg) ?? ROLLUP_NONE);
        const id = `${e.key}\u0000${seg}\u0000${month}\u0000${segValue}\u0000${value}`;
        let cell = entities.get(id);
        if (!cell) entities.set(id, (cell = { key: e.key, segKey: seg, month, segValue, value, first: c.ts, last: c.ts, sums: zeroMeasures() }));
        cell.first = Math.min(cell.first, c.ts);
        cell.last = Math.max(cell.last, c.ts);
        accumulate(cell.sums, sums);
      }
    }
  }
  // Any fixed order will do for locking; the map keys give one cheaply.
  const sorted = <T>(m: Map<string, T>): T[] => [...m.keys()].sort().map((k) => m.get(k)!);
  return { cells: sorted(cells), entities: sorted(entities), minHour, maxHour };
}

/**
 * Each (tag key, UTC day, value) of the batch once, for the keys `rolledUp` accepts, in
 * the order the calls first show them: what the cardinality guard records in
 * tag_key_days (rollup-policy.ts MAX_TAG_VALUES_PER_DAY) before it counts a key's values.
 */
export function tagDayValues(calls: readonly RolledCall[], rolledUp: (key: string) => boolean): Array<[key: string, day: number, value: string]> {
  const seen = new Set<string>();
  const out: Array<[string, number, string]> = [];
  for (const c of calls) {
    const day = utcDayOf(c.ts);
    for (const [k, v] of c.tags) {
      if (!rolledUp(k)) continue;
      const id = `${k}\u0000${day}\u0000${v}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push([k, day, v]);
    }
  }
  return out;
}
