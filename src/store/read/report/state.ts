import type { Db } from '../../db.js';
import { ENTITY_KEYS } from '../../rollup-policy.js';
import { schemaVersionOf } from '../dialect.js';
import { NONE, TAG_PREFIX, isBuiltin } from '../dimensions.js';
import type { AggregateSpec, RollupState } from './types.js';

/** Rollups arrived with schema v3; an older database (read-only, not migrated) has none: undefined. */
export async function readRollupState(db: Db): Promise<RollupState | undefined> {
  if ((await schemaVersionOf(db)) < 3) return undefined;
  const rows = await db.all<{ name: string; value: number }>('SELECT name, value FROM rollup_state');
  const state = new Map(rows.map((r) => [r.name, Number(r.value)]));
  const demoted = new Set((await db.all<{ key: string }>('SELECT key FROM tag_keys WHERE rolled_up = 0')).map((r) => r.key));
  return {
    rawSince: state.get('raw_since') ?? 0,
    entitySince: state.get('entity_since') ?? 0,
    firstHour: state.get('first_hour') ?? null,
    lastHour: state.get('last_hour') ?? null,
    rolledUp: (key) => !demoted.has(key),
  };
}

/** The entity-key bit (rollup_dims.entity_mask) of a tag key, or undefined. */
export function entityBit(key: string): number | undefined {
  return ENTITY_KEYS.find((e) => e.key === key)?.bit;
}

/**
 * The one rolled-up tag key a rollup query involves (in `by` or `where`), null for
 * none, or undefined when rollups cannot answer: two different tag keys (rollups hold
 * one tag per row, not combinations), a key that is not rolled up, or an entity key
 * used other than as a `--where key=(none)` / `key!=(none)` presence filter.
 */
export function rollupTagKey(spec: AggregateSpec, state: RollupState): string | null | undefined {
  const keys = new Set<string>();
  // A `tag:` name is answered from raw calls (scope.ts reads the prefix); rollups key tags by their bare name.
  if ([...spec.by, ...spec.where.map((w) => w.key)].some((k) => k.startsWith(TAG_PREFIX))) return undefined;
  for (const dim of spec.by) {
    if (isBuiltin(dim)) continue;
    if (entityBit(dim) !== undefined || !state.rolledUp(dim)) return undefined;
    keys.add(dim);
  }
  for (const w of spec.where) {
    if (isBuiltin(w.key)) continue;
    if (entityBit(w.key) !== undefined && w.value === NONE) continue;
    if (entityBit(w.key) !== undefined || !state.rolledUp(w.key)) return undefined;
    keys.add(w.key);
  }
  if (keys.size > 1) return undefined;
  return keys.size === 1 ? [...keys][0]! : null;
}
