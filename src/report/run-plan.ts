import type {
  AggregateSpec,
  Collapse,
  EconomicsAggregates,
  GroupAggregate,
  P50ByGroup,
  ReportReads,
  RollupState,
  UnpricedModel,
} from '../store/read/report/index.js';
import type { Scope } from '../store/read/scope.js';
import { EXACT_P50_MAX_CALLS, countScope, needsCallCount, planEconomics, planQuery, type PlanPolicy, type PlanSpec, type PlanState } from './plan.js';

/**
 * Runs report questions through the plan: gathers the facts planQuery needs (the rollup
 * state once; a call count only when the p50 choice depends on it), plans, and asks the
 * chosen strategy. One per report (or dashboard refresh): the strategies it holds cache
 * rollup parts for that long. It also notes whether an answer had to read raw rows for
 * time before the retention cutoff.
 */
export interface PlannedReads {
  /**
   * One aggregate per group; with `by` empty exactly one. With `like`, raw rows answer
   * whenever they answer `like` (the report's own spec): a footer's counts then cover the
   * calls its rows cover, also when retention pruned raw rows those needed.
   */
  groups(spec: AggregateSpec, collapse?: Collapse, like?: PlanSpec): Promise<GroupAggregate[]>;
  /** Median latency per group (keyed by groupKey); with `keep`, other first-dimension values pool under `(other)`. */
  p50(spec: AggregateSpec, keep?: readonly string[]): Promise<P50ByGroup>;
  /**
   * Models of unpriced calls in the spec's scope, most calls first, read where the groups
   * of the same spec (its `by` and `top`) come from: the footer then covers the calls the
   * rows cover, also when those had to come from raw rows that retention pruned.
   */
  unpriced(spec: PlanSpec): Promise<UnpricedModel[]>;
  /** Unit economics aggregates of the scope. */
  economics(scope: Scope): Promise<EconomicsAggregates>;
  /**
   * The retention cutoff (ms, a whole UTC hour) once some answer read raw rows for a
   * range starting before it (those figures cover calls from the cutoff on only); null
   * while every answer was complete.
   */
  prunedBefore(): number | null;
  /** The start of the hour of the first call the database recorded (its rollups' first hour); null without rollups or calls. */
  firstCallHour: number | null;
}

export async function plannedReads(reads: ReportReads, policy?: PlanPolicy): Promise<PlannedReads> {
  const state: RollupState | undefined = await reads.rollupState();
  const summaries = state && reads.summaries(state);
  let pruned = false;
  /** The raw strategy, noting a range that reaches before the retention cutoff. */
  const raw = (scope: Scope) => {
    if (state && scope.since < state.rawSince) pruned = true;
    return reads.raw;
  };
  const stored = () => {
    if (!summaries) throw new Error('the plan chose rollups on a database without them');
    return summaries;
  };
  const plan = (spec: PlanSpec, facts: Omit<PlanState, 'rollups'> = {}) => planQuery(spec, { rollups: state, ...facts }, policy);

  const callsInScope = async (scope: Scope): Promise<number | undefined> => {
    if (!state || !needsCallCount(scope, { rollups: state })) return undefined;
    return (await stored().rollups.groups({ ...countScope(scope, state), by: [] }))[0]?.calls ?? 0;
  };

  return {
    async groups(spec, collapse, like) {
      if (like !== undefined && plan(like).source === 'raw') return raw(spec).groups(spec, collapse);
      const top = collapse && 'top' in collapse ? collapse.top : undefined;
      const source = plan({ ...spec, ...(top !== undefined ? { top } : {}) }).source;
      if (source === 'rollups') return stored().rollups.groups(spec, collapse);
      if (source === 'entities') return stored().entities.top(spec, top!);
      return raw(spec).groups(spec, collapse);
    },

    async p50(spec, keep) {
      const source = plan(spec, { callsInScope: await callsInScope(spec) }).p50;
      if (source === 'histogram') return stored().rollups.p50(spec, keep);
      if (source === 'entities') {
        const entities = stored().entities;
        // Without a top-N list, the medians of the most expensive entities (as many as an exact sort would take).
        const kept = keep ?? (await entities.top(spec, policy?.exactP50MaxCalls ?? EXACT_P50_MAX_CALLS)).map((g) => g.values[0]!);
        return entities.p50(spec, kept);
      }
      return raw(spec).p50(spec, keep);
    },

    async unpriced(spec) {
      // Rollups (and entity rows) cover all time; a spec they can answer leaves no tag key rollups cannot filter on.
      return plan(spec).source === 'raw' ? raw(spec).unpriced(spec) : stored().rollups.unpriced(spec);
    },

    async economics(scope) {
      if (planEconomics(scope, state).source === 'summaries') return stored().economics(scope);
      if (state && scope.since < state.rawSince) pruned = true;
      return reads.rawEconomics(scope);
    },

    prunedBefore: () => (pruned && state ? state.rawSince : null),
    firstCallHour: state?.firstHour ?? null,
  };
}
