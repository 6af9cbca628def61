import { economicsPieces, entityPlan, rollupTagKey, type AggregateSpec, type RollupState } from '../store/read/report/index.js';
import type { Scope } from '../store/read/scope.js';

/**
 * Which stored data answers a report query: a pure decision from the query and the facts
 * in PlanState, made before anything is read. Three sources hold the same numbers:
 *
 * - rollups: hourly sums and latency histograms per built-ins and one tag. They answer
 *   any query whose dimensions and filters involve at most one tag key, that key rolled
 *   up (built-ins, day/week/month and --key always are; an entity key such as user_id
 *   only as a `=(none)` / `!=(none)` filter). Sums equal raw aggregation exactly; a p50
 *   is within the histogram bound.
 * - entities: per-user/session month rows, for `--by user_id --top N` (an entity key,
 *   no filters, a month-shaped range) without aggregating every user.
 * - raw: the call log. Always exact, always possible while the rows exist; used for two
 *   tag keys at once, demoted or denylisted keys, and databases without rollups.
 *
 * p50: exact from raw rows while the scope is small (at most exactP50MaxCalls calls) and
 * none of its raw rows were pruned; otherwise from rollup histograms when rollups answer
 * the query, from entity rows for `--by user_id` style queries, else raw rows anyway.
 */

/** Up to this many calls in scope, p50 comes exactly from raw rows (a window sort costs a few ms). */
export const EXACT_P50_MAX_CALLS = 20_000;

export type SumsSource = 'rollups' | 'entities' | 'raw';
export type P50Source = 'raw' | 'histogram' | 'entities';

export interface PlanSpec extends AggregateSpec {
  /** Top-N folding of the first dimension is asked for (entity rows answer only that). */
  top?: number;
}

/** Facts the plan depends on, gathered before planning. */
export interface PlanState {
  /** What the rollup tables can answer; undefined on a database without them (schema before v3). */
  rollups: RollupState | undefined;
  /**
   * Calls in the spec's scope, or an upper bound (countScope says which), counted from
   * rollups before planning. Only the p50 choice needs it: whether an exact sort of the
   * raw rows is cheap enough depends on how many there are, which no cheaper fact tells.
   * Undefined when not counted: the exact p50 is then not chosen over another source.
   */
  callsInScope?: number;
}

export interface QueryPlan {
  /** Where the sums (groups) come from. */
  source: SumsSource;
  /** Where the medians come from. */
  p50: P50Source;
  /** Why, in a few words (for tests and for anyone reading a plan). */
  reason: string;
}

export interface PlanPolicy {
  exactP50MaxCalls: number;
}

const DEFAULT_POLICY: PlanPolicy = { exactP50MaxCalls: EXACT_P50_MAX_CALLS };

export function planQuery(spec: PlanSpec, state: PlanState, policy: PlanPolicy = DEFAULT_POLICY): QueryPlan {
  const r = state.rollups;
  if (r === undefined) return { source: 'raw', p50: 'raw', reason: 'no rollup tables (schema before v3)' };
  const tagKey = rollupTagKey(spec, r);
  const complete = spec.since >= r.rawSince;
  const small = state.callsInScope !== undefined && state.callsInScope <= policy.exactP50MaxCalls;
  const exact = complete && small;
  const p50Why = exact ? 'small scope: exact p50 from raw rows' : !complete ? 'raw rows pruned before the range start' : 'large scope';
  if (tagKey !== undefined) {
    const key = tagKey === null ? 'no tag key' : `one rolled-up tag key (${tagKey})`;
    return { source: 'rollups', p50: exact ? 'raw' : 'histogram', reason: `${key}; ${exact ? p50Why : `${p50Why}: p50 from histograms`}` };
  }
  const entity = entityPlan(spec, r) !== undefined;
  const source: SumsSource = entity && spec.top !== undefined ? 'entities' : 'raw';
  const p50: P50Source = entity && complete && !small ? 'entities' : 'raw';
  const why = entity ? `entity key ${spec.by[0]} over whole-month entity rows` : 'rollups cannot answer (two tag keys, or a key not rolled up)';
  return { source, p50, reason: `${why}; ${p50 === 'entities' ? 'large scope: p50 from entity rows' : p50Why}` };
}

/**
 * The scope whose calls decide the p50 source (PlanState.callsInScope): the spec's own
 * when rollups can apply its filters, else the same without filters (an upper bound).
 */
export function countScope(spec: Scope, rollups: RollupState): Scope {
  return rollupTagKey({ ...spec, by: [] }, rollups) !== undefined ? spec : { ...spec, where: [] };
}

/** Does planQuery's p50 choice depend on callsInScope? (No count is needed when it does not.) */
export function needsCallCount(spec: Scope, state: Pick<PlanState, 'rollups'>): boolean {
  return state.rollups !== undefined && spec.since >= state.rollups.rawSince;
}

export interface EconomicsPlan {
  source: 'summaries' | 'raw';
  reason: string;
}

/** Unit economics: rollups and entity rows when economicsPieces allows, else raw rows. */
export function planEconomics(scope: Scope, rollups: RollupState | undefined): EconomicsPlan {
  if (rollups === undefined) return { source: 'raw', reason: 'no rollup tables (schema before v3)' };
  if (economicsPieces(scope, rollups) !== undefined) return { source: 'summaries', reason: 'whole months, prefixes and suffixes, no filters' };
  return { source: 'raw', reason: 'filters, a range inside a month, or user_tier/tenant_id not rolled up' };
}
