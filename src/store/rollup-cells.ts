import { ENTITY_KEYS, ROLLUP_NONE, utcMonthOf } from './rollup-policy.js';
import type { CallOutcome, SqlValue } from './types.js';

/**
 * Which rollup rows one call adds to (schema v3, with the v6 outcome dimensions): its dims
 * rows (the '' row and one per rolled-up tag) and, when it reached the provider, its
 * entity_months rows. Shared by the rollup writer, which adds calls, and repricing, which
 * moves their cost.
 */

/** A call's fields that pick its rollup rows. `model` = COALESCE(model, model_requested). */
export interface CellCall {
  ts: number;
  keyName: string | null;
  provider: string;
  endpoint: string;
  model: string | null;
  outcome: CallOutcome;
  /** HTTP status the client got. */
  status: number;
  /** Reached the provider (reached.ts). */
  reached: boolean;
}

/**
 * rollup_dims columns before the tag pair, in column order (migrations/006-outcome-rollups.ts):
 * key_name, provider, endpoint, model, entity_mask, outcome, status, reached.
 */
export function dimsBase(c: CellCall, tags: ReadonlyMap<string, string>): SqlValue[] {
  let mask = 0;
  for (const e of ENTITY_KEYS) if (tags.has(e.key)) mask |= e.bit;
  return [c.keyName, c.provider, c.endpoint, c.model, mask, c.outcome, c.status, c.reached ? 1 : 0];
}

/** `dimsBase` as the prefix of its `ident` (the tuple as JSON, without its closing bracket). */
export function identPrefix(base: readonly SqlValue[]): string {
  return JSON.stringify(base).slice(0, -1);
}

/** rollup_dims.ident of the row for (base, tag pair); ('', '') is the "all calls" row. */
export function dimsIdent(prefix: string, tagKey: string, tagValue: string): string {
  return `${prefix},${JSON.stringify(tagKey)},${JSON.stringify(tagValue)}]`;
}

/** An entity_months key: entity key, segment key, UTC month (ms), segment value, entity value. */
export type EntityRow = [string, string, number, string, string];

/** The entity_months rows a call adds to: none unless it reached the provider (active users are users it served). */
export function entityRows(c: Pick<CellCall, 'ts' | 'reached'>, tags: ReadonlyMap<string, string>): EntityRow[] {
  if (!c.reached) return [];
  const rows: EntityRow[] = [];
  const month = utcMonthOf(c.ts);
  for (const e of ENTITY_KEYS) {
    const value = tags.get(e.key);
    if (value === undefined) continue;
    for (const seg of ['', ...e.segments]) rows.push([e.key, seg, month, seg === '' ? '' : (tags.get(seg) ?? ROLLUP_NONE), value]);
  }
  return rows;
}
