import { storedModelName } from '../domain/model-names.js';
import { accumulate, callMeasures, zeroMeasures, type MeasuredCall, type Measures } from './measures.js';
import { isReached } from './reached.js';
import { EntitySums, sortedByKey, tagOf, type EntityCell } from './entity-sums.js';
import { ENTITY_KEYS, hourOf, latencyBucket, utcDayOf, utcMonthCursor } from './rollup-policy.js';
import type { CallOutcome, CallRecord } from './types.js';

export { EntitySums, type EntityCell } from './entity-sums.js';

const DAY_MS = 86_400_000;

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
  /** COALESCE(model, model_requested), as stored (storedModelName: at most 256 UTF-8 bytes). */
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
    model: storedModelName(r.model ?? r.modelRequested ?? null),
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

export interface AggregatedBatch {
  cells: RollupCell[];
  entities: EntityCell[];
  /** Earliest and latest UTC hour of the batch (ms); ±Infinity when empty. */
  minHour: number;
  maxHour: number;
}

/** Cells of one hour and dims row (the ident without its tag), by tag key, then tag value. */
interface Group {
  base: string;
  hour: number;
  mask: number;
  reached: number;
  byTag: Map<string, Map<string, RollupCell>>;
}
/** Maps nested by one key per level. */
type Nest = Map<unknown, unknown>;

/** The map under `key` in `map`, made when missing. */
function child(map: Nest, key: unknown): Nest {
  let c = map.get(key) as Nest | undefined;
  if (!c) map.set(key, (c = new Map()));
  return c;
}

/** `test`, asked once per key: within one batch a key's answer does not change. */
function askedOnce(test: (key: string) => boolean): (key: string) => boolean {
  const answers = new Map<string, boolean>();
  return (key) => {
    let answer = answers.get(key);
    if (answer === undefined) answers.set(key, (answer = test(key)));
    return answer;
  };
}

/** How aggregateRollups sums a batch. */
export interface AggregateOptions<C> {
  /** What a call adds: its measures (the default) or, for repricing, the change of its measures. */
  measure?: (call: C) => Measures;
  /** Sum the entity rows here instead of the batch's own (the batch then reports none: entity-fold.ts). */
  entitiesInto?: EntitySums;
  /**
   * False: the cells in no particular order, for a writer that orders them itself and
   * holds the database's only write lock (SQLite's rollup writer sorts by dims id and hour).
   * Default true: by their identity.
   */
  ordered?: boolean;
}

/**
 * Sums `calls`: every call adds to its '' dims row and to one row per tag whose key
 * `rolledUp` says is rolled up; entity keys (user_id, session_id) of calls that reached
 * the provider add to entity rows per segment. Cells and entities come out in one fixed
 * order (by their identity), so writers that lock rows in this order never deadlock one
 * another (unless `ordered` is false: then the cells in any order).
 */
export function aggregateRollups<C extends RolledCall>(calls: readonly C[], rolledUp: (key: string) => boolean, options: AggregateOptions<C> = {}): AggregatedBatch {
  const measure = options.measure ?? callMeasures;
  const batch = new BatchSums(askedOnce(rolledUp), options.entitiesInto);
  for (const c of calls) batch.add(c, measure(c));
  return batch.result(options.ordered ?? true);
}

/**
 * The running sums of one aggregateRollups batch. Its steps are small methods rather than
 * one function with a closure per call: the writer thread's JIT recompiled the single
 * large function again and again under steady load (five DFG compiles of ~40 ms each in
 * 40 s of calls, on the core the proxy runs on).
 */
class BatchSums {
  /** Cells by hour and each dims column in nested maps (no string built per call), then tag key, then tag value. */
  private readonly groups: Nest = new Map();
  private readonly groupList: Group[] = [];
  private minHour = Infinity;
  private maxHour = -Infinity;

  private readonly entities: EntitySums;
  /** False when the entity rows are summed into the caller's EntitySums. */
  private readonly ownEntities: boolean;

  /**
   * `rolledUp`: asked once per key (askedOnce). `entitiesInto`: where entity rows are
   * summed instead of the batch's own (the batch then reports none).
   */
  constructor(
    private readonly rolledUp: (key: string) => boolean,
    entitiesInto?: EntitySums,
  ) {
    this.ownEntities = entitiesInto === undefined;
    this.entities = entitiesInto ?? new EntitySums();
  }

  add(c: RolledCall, sums: Measures): void {
    const hour = hourOf(c.ts);
    if (hour < this.minHour) this.minHour = hour;
    if (hour > this.maxHour) this.maxHour = hour;
    let mask = 0;
    for (const e of ENTITY_KEYS) if (tagOf(c.tags, e.key) !== undefined) mask |= e.bit;
    const group = this.groupOf(c, hour, mask);
    const bucket = latencyBucket(c.latencyMs);
    addToCell(group, c, '', '', sums, bucket);
    for (const [k, v] of c.tags) if (this.rolledUp(k)) addToCell(group, c, k, v, sums, bucket);
    // Entity rows count the calls the provider served (active users are users it served).
    if (c.reached) this.entities.add(c, sums);
  }

  /** `ordered`: the cells by their identity (else in the order their groups were first seen). */
  result(ordered: boolean): AggregatedBatch {
    const entities = this.ownEntities ? this.entities.cells() : [];
    return { cells: ordered ? this.orderedCells() : this.anyOrderCells(), entities, minHour: this.minHour, maxHour: this.maxHour };
  }

  private orderedCells(): RollupCell[] {
    const cells = new Map<string, RollupCell>();
    for (const cell of this.anyOrderCells()) cells.set(`${cell.hour}|${cell.ident}`, cell);
    return sortedByKey(cells);
  }

  /** Every cell, in the order their groups were first seen. */
  private anyOrderCells(): RollupCell[] {
    const cells: RollupCell[] = [];
    for (const group of this.groupList) for (const byValue of group.byTag.values()) for (const cell of byValue.values()) cells.push(cell);
    return cells;
  }

  /** The cells of `c`'s hour and dims row. */
  private groupOf(c: RolledCall, hour: number, mask: number): Group {
    const reached = c.reached ? 1 : 0;
    const last = child(child(child(child(child(child(child(this.groups, hour), c.keyName), c.provider), c.endpoint), c.model), c.outcome), c.status);
    const groupKey = mask * 2 + reached;
    let group = last.get(groupKey) as Group | undefined;
    if (!group) {
      // The ident is the dims row as a JSON array: the fixed part is written once per group.
      const base = JSON.stringify([c.keyName, c.provider, c.endpoint, c.model, mask, c.outcome, c.status, reached]).slice(0, -1);
      last.set(groupKey, (group = { base, hour, mask, reached, byTag: new Map() }));
      this.groupList.push(group);
    }
    return group;
  }
}

/** Adds a call to the cell of `group` for tag `tagKey` = `tagValue` ('' and '': the call's '' dims row). */
function addToCell(group: Group, c: RolledCall, tagKey: string, tagValue: string, sums: Measures, bucket: number): void {
  let byValue = group.byTag.get(tagKey);
  if (!byValue) group.byTag.set(tagKey, (byValue = new Map()));
  // A tag whose key is '' shares the '' dims row (its ident is the same).
  const value = tagKey === '' ? '' : tagValue;
  let cell = byValue.get(value);
  if (!cell) {
    const ident = tagKey === '' ? `${group.base},"",""]` : `${group.base},${JSON.stringify(tagKey)},${JSON.stringify(tagValue)}]`;
    const dims: DimsRow = [c.keyName, c.provider, c.endpoint, c.model, group.mask, c.outcome, c.status, group.reached, tagKey, value];
    byValue.set(value, (cell = { ident, dims, hour: group.hour, sums: zeroMeasures(), latency: new Map() }));
  }
  accumulate(cell.sums, sums);
  cell.latency.set(bucket, (cell.latency.get(bucket) ?? 0) + 1);
}

/**
 * Each (tag key, UTC day, value) of the batch once, for the keys `rolledUp` accepts,
 * sorted by key, day, then value (so replicas insert them in one order: no deadlock):
 * what the cardinality guard records in tag_key_days (rollup-policy.ts
 * MAX_TAG_VALUES_PER_DAY) before it counts a key's values. Gathered in nested maps (no
 * string built per tag).
 */
export function tagDayValues(calls: readonly RolledCall[], rolledUp: (key: string) => boolean): Array<[key: string, day: number, value: string]> {
  const values = new Map<string, Map<number, Set<string>>>();
  const isRolledUp = askedOnce(rolledUp);
  let day = NaN;
  for (const c of calls) {
    if (!(c.ts >= day && c.ts < day + DAY_MS)) day = utcDayOf(c.ts);
    for (const [k, v] of c.tags) {
      if (!isRolledUp(k)) continue;
      let days = values.get(k);
      if (!days) values.set(k, (days = new Map()));
      let seen = days.get(day);
      if (!seen) days.set(day, (seen = new Set()));
      seen.add(v);
    }
  }
  const rows: Array<[string, number, string]> = [];
  for (const k of [...values.keys()].sort()) {
    const days = values.get(k)!;
    for (const d of [...days.keys()].sort((a, b) => a - b)) for (const v of [...days.get(d)!].sort()) rows.push([k, d, v]);
  }
  return rows;
}

/**
 * The (UTC month, tag key) pairs of `calls`, each once, in (month, key) order: what a
 * batch registers in call_tag_keys (SQLite call-writer.ts, PostgreSQL pg/call-batch.ts;
 * the order is the one PostgreSQL writers lock the rows in).
 */
export function tagKeyMonths(calls: Iterable<Pick<RolledCall, 'ts' | 'tags'>>): Array<[number, string]> {
  const monthOf = utcMonthCursor();
  const byMonth = new Map<number, Set<string>>();
  for (const c of calls) {
    const month = monthOf(c.ts);
    let keys = byMonth.get(month);
    if (keys === undefined) byMonth.set(month, (keys = new Set()));
    for (const [k] of c.tags) keys.add(k);
  }
  const pairs: Array<[number, string]> = [];
  for (const [month, keys] of byMonth) for (const k of keys) pairs.push([month, k]);
  return pairs.sort(([ma, ka], [mb, kb]) => ma - mb || (ka < kb ? -1 : ka > kb ? 1 : 0));
}
