import { ENTITY_KEYS, ROLLUP_NONE, utcMonthOf } from './rollup-policy.js';
import type { SqlValue } from './types.js';

/**
 * Which rollup rows one call adds to (schema v3): its dims rows (the '' row and one per
 * rolled-up tag) and its entity_months rows. Shared by the rollup writer, which adds
 * calls, and repricing, which moves their cost.
 */

/** A call's fields that pick its rollup rows. `model` = COALESCE(model, model_requested). */
export interface CellCall {
  ts: number;
  keyName: string | null;
  provider: string;
  endpoint: string;
  model: string | null;
}

/** rollup_dims columns before the tag pair: key_name, provider, endpoint, model, entity_mask. */
export function dimsBase(c: CellCall, tags: ReadonlyMap<string, string>): SqlValue[] {
  let mask = 0;
  for (const e of ENTITY_KEYS) if (tags.has(e.key)) mask |= e.bit;
  return [c.keyName, c.provider, c.endpoint, c.model, mask];
}

/** `dimsBase` as the prefix of its `ident` (a JSON array without its closing bracket). */
export function identPrefix(base: readonly SqlValue[]): string {
  return JSON.stringify(base).slice(0, -1);
}

/** rollup_dims.ident of the row for (base, tag pair); ('', '') is the "all calls" row. */
export function dimsIdent(prefix: string, tagKey: string, tagValue: string): string {
  return `${prefix},${JSON.stringify(tagKey)},${JSON.stringify(tagValue)}]`;
}

/** An entity_months key: entity key, segment key, UTC month (ms), segment value, entity value. */
export type EntityRow = [string, string, number, string, string];

/** The entity_months rows a call at `ts` with `tags` adds to. */
export function entityRows(ts: number, tags: ReadonlyMap<string, string>): EntityRow[] {
  const rows: EntityRow[] = [];
  const month = utcMonthOf(ts);
  for (const e of ENTITY_KEYS) {
    const value = tags.get(e.key);
    if (value === undefined) continue;
    for (const seg of ['', ...e.segments]) rows.push([e.key, seg, month, seg === '' ? '' : (tags.get(seg) ?? ROLLUP_NONE), value]);
  }
  return rows;
}
