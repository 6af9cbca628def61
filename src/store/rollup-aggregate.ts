import { ENTITY_KEYS, ROLLUP_NONE, hourOf, latencyBucket, utcMonthOf } from './rollup-policy.js';

/**
 * A batch of calls summed in memory the way the rollup tables keep them (see
 * migrations/003-rollups.ts): one cell per dims row × UTC hour, one entity row per
 * (entity key, segment, month, segment value, entity value). Pure: the PostgreSQL writer
 * upserts the result in a few statements; what is rolled up is decided by the caller.
 */

/** The seven summed measures of a set of calls. Money nano-USD. */
export interface Sums {
  costNano: number;
  calls: number;
  pricedCalls: number;
  unpricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
}

/** The fields of one stored call that rollups need. Money nano-USD, times ms. */
export interface RollupCall {
  ts: number;
  keyName: string | null;
  provider: string;
  endpoint: string;
  /** COALESCE(model, model_requested). */
  model: string | null;
  costNano: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  latencyMs: number;
  tags: readonly (readonly [string, string])[];
}

/** rollup_dims columns in table order: key_name, provider, endpoint, model, entity_mask, tag_key, tag_value. */
export type DimsRow = [string | null, string, string, string | null, number, string, string];

export interface RollupCell {
  /** rollup_dims.ident: the dims row as a JSON array. */
  ident: string;
  dims: DimsRow;
  hour: number;
  sums: Sums;
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
  sums: Sums;
}

export interface AggregatedBatch {
  cells: RollupCell[];
  entities: EntityCell[];
  /** Earliest and latest UTC hour of the batch (ms); ±Infinity when empty. */
  minHour: number;
  maxHour: number;
}

export function zeroSums(): Sums {
  return { costNano: 0, calls: 0, pricedCalls: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
}

/** The measures of one call: priced when it has a cost; unpriced when its usage is known and it has none. */
export function callSums(c: RollupCall): Sums {
  return {
    costNano: c.costNano ?? 0,
    calls: 1,
    pricedCalls: c.costNano === null ? 0 : 1,
    unpricedCalls: c.costNano === null && c.inputTokens !== null ? 1 : 0,
    inputTokens: c.inputTokens ?? 0,
    outputTokens: c.outputTokens ?? 0,
    cachedInputTokens: c.cachedInputTokens ?? 0,
  };
}

function add(into: Sums, m: Sums): void {
  into.costNano += m.costNano;
  into.calls += m.calls;
  into.pricedCalls += m.pricedCalls;
  into.unpricedCalls += m.unpricedCalls;
  into.inputTokens += m.inputTokens;
  into.outputTokens += m.outputTokens;
  into.cachedInputTokens += m.cachedInputTokens;
}

/**
 * Sums `calls`: every call adds to its '' dims row and to one row per tag whose key
 * `rolledUp` says is rolled up; entity keys (user_id, session_id) add to entity rows
 * per segment. Cells and entities come out in one fixed order (by their identity), so
 * writers that lock rows in this order never deadlock one another.
 */
export function aggregateRollups(calls: readonly RollupCall[], rolledUp: (key: string) => boolean, sumsOf: (c: RollupCall) => Sums = callSums): AggregatedBatch {
  const cells = new Map<string, RollupCell>();
  const entities = new Map<string, EntityCell>();
  let minHour = Infinity;
  let maxHour = -Infinity;
  for (const c of calls) {
    const sums = sumsOf(c);
    const hour = hourOf(c.ts);
    minHour = Math.min(minHour, hour);
    maxHour = Math.max(maxHour, hour);
    const tags = new Map(c.tags);
    let mask = 0;
    for (const e of ENTITY_KEYS) if (tags.has(e.key)) mask |= e.bit;
    const bucket = latencyBucket(c.latencyMs);
    // The ident is the dims row as a JSON array: the fixed part is written once per call.
    const base = JSON.stringify([c.keyName, c.provider, c.endpoint, c.model, mask]).slice(0, -1);
    const addTo = (tagKey: string, tagValue: string) => {
      const ident = tagKey === '' ? `${base},"",""]` : `${base},${JSON.stringify(tagKey)},${JSON.stringify(tagValue)}]`;
      const id = `${hour}|${ident}`;
      let cell = cells.get(id);
      if (!cell) cells.set(id, (cell = { ident, dims: [c.keyName, c.provider, c.endpoint, c.model, mask, tagKey, tagValue], hour, sums: zeroSums(), latency: new Map() }));
      add(cell.sums, sums);
      cell.latency.set(bucket, (cell.latency.get(bucket) ?? 0) + 1);
    };
    addTo('', '');
    for (const [k, v] of c.tags) if (rolledUp(k)) addTo(k, v);

    const month = utcMonthOf(c.ts);
    for (const e of ENTITY_KEYS) {
      const value = tags.get(e.key);
      if (value === undefined) continue;
      for (const seg of ['', ...e.segments]) {
        const segValue = seg === '' ? '' : (tags.get(seg) ?? ROLLUP_NONE);
        const id = `${e.key}\u0000${seg}\u0000${month}\u0000${segValue}\u0000${value}`;
        let cell = entities.get(id);
        if (!cell) entities.set(id, (cell = { key: e.key, segKey: seg, month, segValue, value, first: c.ts, last: c.ts, sums: zeroSums() }));
        cell.first = Math.min(cell.first, c.ts);
        cell.last = Math.max(cell.last, c.ts);
        add(cell.sums, sums);
      }
    }
  }
  // Any fixed order will do for locking; the map keys give one cheaply.
  const sorted = <T>(m: Map<string, T>): T[] => [...m.keys()].sort().map((k) => m.get(k)!);
  return {
    cells: sorted(cells),
    entities: sorted(entities),
    minHour,
    maxHour,
  };
}
