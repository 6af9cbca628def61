import { accumulate, zeroMeasures, type Measures } from './measures.js';
import { ENTITY_KEYS, ROLLUP_NONE, utcMonthCursor } from './rollup-policy.js';

/**
 * Per-entity month rows summed in memory (entity_months: migrations/003-rollups.ts), and
 * the small helpers the rollup sums share (rollup-aggregate.ts).
 */

/** A call's tags as [key, value] pairs (RolledCall['tags']). */
export type TagPairs = readonly (readonly [string, string])[];

/** One entity_months row's worth: an entity's calls in one segment value and UTC month. Times ms. */
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

/** ENTITY_KEYS with their segments after '' (the whole). */
const ENTITIES = ENTITY_KEYS.map((e) => ({ key: e.key, withWhole: ['', ...e.segments] }));

/** The value of tag `key` among a call's tags (a few pairs: a scan beats building a Map). */
export function tagOf(tags: TagPairs, key: string): string | undefined {
  for (const [k, v] of tags) if (k === key) return v;
  return undefined;
}

/** The values of `m` in the order of their keys (any fixed order will do for locking; the keys give one cheaply). */
export function sortedByKey<T>(m: Map<string, T>): T[] {
  return [...m.keys()].sort().map((k) => m.get(k)!);
}

/**
 * Entity rows summed in memory: one cell per (entity key, segment, UTC month, segment
 * value, entity value), with its first and last call time and its measures. A batch's
 * own, or (the SQLite writer's entity fold, entity-fold.ts) kept across batches.
 */
export class EntitySums {
  /** An entity's cells (its segments, months and segment values: a few) by key, then entity value. */
  private readonly byEntity = new Map<string, Map<string, EntityCell[]>>();
  private readonly list: EntityCell[] = [];
  private readonly monthOf = utcMonthCursor();

  /** Calls added that carried an entity key. */
  added = 0;

  /** Cells held. */
  get size(): number {
    return this.list.length;
  }

  /** Adds a call that reached the provider (`sums`: what it adds) to the rows of each entity key it carries. */
  add(c: { readonly ts: number; readonly tags: TagPairs }, sums: Measures): void {
    let carried = false;
    for (const e of ENTITIES) {
      const value = tagOf(c.tags, e.key);
      if (value === undefined) continue;
      carried = true;
      const month = this.monthOf(c.ts);
      let values = this.byEntity.get(e.key);
      if (!values) this.byEntity.set(e.key, (values = new Map()));
      let own = values.get(value);
      if (!own) values.set(value, (own = []));
      for (const seg of e.withWhole) {
        const segValue = seg === '' ? '' : (tagOf(c.tags, seg) ?? ROLLUP_NONE);
        let cell: EntityCell | undefined;
        for (const x of own) {
          if (x.month === month && x.segKey === seg && x.segValue === segValue) {
            cell = x;
            break;
          }
        }
        if (!cell) {
          own.push((cell = { key: e.key, segKey: seg, month, segValue, value, first: c.ts, last: c.ts, sums: zeroMeasures() }));
          this.list.push(cell);
        }
        if (c.ts < cell.first) cell.first = c.ts;
        if (c.ts > cell.last) cell.last = c.ts;
        accumulate(cell.sums, sums);
      }
    }
    if (carried) this.added += 1;
  }

  /** The cells in one fixed order (by their identity), so writers that lock rows in it never deadlock one another. */
  cells(): EntityCell[] {
    const byIdentity = new Map<string, EntityCell>();
    for (const e of this.list) byIdentity.set(`${e.key}\u0000${e.segKey}\u0000${e.month}\u0000${e.segValue}\u0000${e.value}`, e);
    return sortedByKey(byIdentity);
  }
}
