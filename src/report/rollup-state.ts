import { schemaVersion } from '../store/migrations/index.js';
import { ENTITY_KEYS } from '../store/rollup-policy.js';
import type { SqlDriver } from '../store/types.js';
import { isBuiltin, NONE } from './types.js';
import type { AggregateSpec } from './source.js';

/**
 * What the rollup tables can answer right now: which tag keys are rolled up, from when
 * raw calls are complete (retention), and the span of rolled-up hours. Read once per
 * report; all times ms since the epoch.
 */
export interface RollupState {
  /** Raw calls are complete for ts ≥ rawSince (0 = never pruned). A whole UTC hour. */
  rawSince: number;
  /**
   * Per-entity month rows (entity_months) are complete for UTC months starting at or
   * after entitySince (0 = all). Only a database pruned before schema v4 has one.
   */
  entitySince: number;
  /** First and last rolled-up UTC hour; null when nothing was ever recorded. */
  firstHour: number | null;
  lastHour: number | null;
  /** False for denylisted and demoted keys; true for rolled-up keys and keys no call ever had. */
  rolledUp(key: string): boolean;
}

/** Rollups arrived with schema v3; an older database (read-only, not migrated) has none. */
export function readRollupState(driver: SqlDriver): RollupState | undefined {
  if (schemaVersion(driver) < 3) return undefined;
  const state = new Map(driver.prepare('SELECT name, value FROM rollup_state').all<{ name: string; value: number }>().map((r) => [r.name, Number(r.value)]));
  const demoted = new Set(driver.prepare('SELECT key FROM tag_keys WHERE rolled_up = 0').all<{ key: string }>().map((r) => r.key));
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
