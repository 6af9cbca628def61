import type { Db } from '../../db.js';
import type { Scope } from '../scope.js';
import { knownTagKeys } from '../tag-keys.js';
import { unpricedModels, type UnpricedModelCount } from '../unpriced-models.js';
import { economicsFromRawRows, economicsFromRollups, type EconomicsAggregates } from './economics.js';
import { createEntityReads, type EntityReads } from './entity-top.js';
import { createRawReads } from './raw.js';
import { createRollupReads, type RollupReads } from './rollups.js';
import { readRollupState } from './state.js';
import type { AggregateReads, RollupState } from './types.js';

/**
 * The store's side of reports: every strategy the report engine (src/report) can choose
 * between, over one Db. Which strategy answers a query is decided by report/plan.ts from
 * the RollupState; nothing here picks one.
 *
 * - raw: the call log itself (exact, everything, but reads every call in scope);
 * - summaries(state).rollups: hourly rollups (queries with at most one rolled-up tag key);
 * - summaries(state).entities: per-user/session month rows (`--by user_id --top N`);
 * - economics: unit economics from rollups and entity rows, or from raw rows.
 */
export interface ReportReads {
  /** What the rollup tables can answer now; undefined on a database older than schema v3. */
  rollupState(): Promise<RollupState | undefined>;
  readonly raw: AggregateReads;
  /** Unit economics aggregates from the raw call log. */
  rawEconomics(scope: Scope): Promise<EconomicsAggregates>;
  /** The strategies over rollups and entity rows for one report on `state`; they share a cache of rollup parts. */
  summaries(state: RollupState): SummaryReads;
  /** Providers and models with unpriced calls in the whole call log (`tokometer prices unpriced`). */
  unpricedModels(): Promise<UnpricedModelCount[]>;
  /** Every tag key any call ever had, alphabetically (also keys whose raw calls were pruned). */
  tagKeys(): Promise<string[]>;
}

export interface SummaryReads {
  readonly rollups: RollupReads;
  readonly entities: EntityReads;
  /** Unit economics aggregates from rollups and entity rows (only where economicsPieces allows). */
  economics(scope: Scope): Promise<EconomicsAggregates>;
}

export function createReportReads(db: Db): ReportReads {
  const raw = createRawReads(db);
  return {
    rollupState: () => readRollupState(db),
    raw,
    rawEconomics: (scope) => economicsFromRawRows(db, scope),
    summaries(state) {
      const rollups = createRollupReads(db, state, raw);
      return {
        rollups,
        entities: createEntityReads(db, state, rollups),
        economics: (scope) => economicsFromRollups(db, state, rollups, scope),
      };
    },
    unpricedModels: () => unpricedModels(db),
    tagKeys: () => knownTagKeys(db),
  };
}

export { ECONOMICS_TAGS, economicsPieces, type EconomicsAggregates, type SegmentAggregate, type TierAggregate } from './economics.js';
export { entityPlan, type EntityReads } from './entity-top.js';
export { monthPieces, type MonthPiece } from './entity-months.js';
export type { RollupReads } from './rollups.js';
export { entityBit, rollupTagKey } from './state.js';
export * from './types.js';
