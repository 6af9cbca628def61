import { compareUtf8 } from '../../../lib/byte-order.js';
import type { Db } from '../../db.js';
import { costCountsOf, zeroCostCounts, type CostCounts } from '../../measures.js';
import { NONE } from '../dimensions.js';
import { tagJoinSql } from '../dialect.js';
import { joinFragments, type Fragment } from '../fragment.js';
import { whereFragment, type Scope } from '../scope.js';
import { entityCounts, monthPieces, type MonthPiece } from './entity-months.js';
import type { RollupReads } from './rollups.js';
import type { RollupState } from './types.js';

/**
 * Aggregates behind unit economics. Active users and sessions are exact distinct counts
 * of the user_id / session_id tags, never estimates; all money is integer nano-USD and
 * unpriced calls add nothing to cost. Each cost comes with the count of calls that have
 * one (as the report's measures do), so the report can tell a $0 segment from one whose
 * cost is unknown (report/known-cost.ts).
 *
 * Two ways to the same numbers: calls and cost (also of calls with a user or a session) from the
 * rollups (with an entity-presence filter) and distinct users and sessions from
 * entity_months (entity-months.ts), when economicsPieces allows it; otherwise the raw
 * call log, with COUNT(DISTINCT …) over each call's tags (dialect.ts tagJoinSql).
 */

/** Tag keys unit economics reads. */
export const ECONOMICS_TAGS = { user: 'user_id', tier: 'user_tier', tenant: 'tenant_id', session: 'session_id' } as const;

export interface SegmentAggregate extends CostCounts {
  /** Tier or tenant value; `(none)` for calls without the tag. */
  segment: string;
  /** Distinct user_id values among the segment's calls. */
  activeUsers: number;
}

export interface TierAggregate extends SegmentAggregate {
  /** Cost of the tier's calls that carry a user_id, with their counts (what cost per user divides). */
  userSpend: CostCounts;
  /** Distinct session_id values among the tier's calls. */
  sessions: number;
  /** Cost of the tier's calls that carry a session_id, with their counts. */
  sessionSpend: CostCounts;
}

export interface EconomicsAggregates {
  overall: Omit<TierAggregate, 'segment'>;
  /** Most expensive first (ties by segment, UTF-8 order). */
  tiers: TierAggregate[];
  tenants: SegmentAggregate[];
}

/**
 * The month pieces rollups and entity rows answer the scope with, or undefined when they
 * cannot: --where or --key filters (entity rows hold no filters), a scope other than the
 * calls that reached the provider (all entity rows hold), user_tier or tenant_id
 * not rolled up, or a range that is not made of whole UTC months, month prefixes and
 * suffixes (any zone's calendar month is). Pure: the plan asks it too.
 */
export function economicsPieces(scope: Scope, state: RollupState): MonthPiece[] | undefined {
  if (scope.where.length > 0 || scope.keyName !== undefined || scope.reach !== 'reached') return undefined;
  if (!state.rolledUp(ECONOMICS_TAGS.tier) || !state.rolledUp(ECONOMICS_TAGS.tenant)) return undefined;
  return monthPieces(scope, state);
}

const byCost = (a: SegmentAggregate, b: SegmentAggregate) => b.costNano - a.costNano || compareUtf8(a.segment, b.segment);

/**
 * From rollups and entity_months.
 * @throws Error when economicsPieces says they cannot answer the scope.
 */
export async function economicsFromRollups(db: Db, state: RollupState, rollups: RollupReads, scope: Scope): Promise<EconomicsAggregates> {
  const pieces = economicsPieces(scope, state);
  if (!pieces) throw new Error('unit economics of this scope need raw calls (see economicsPieces)');
  const withSession = [{ key: ECONOMICS_TAGS.session, op: '!=' as const, value: NONE }];
  const withUser = [{ key: ECONOMICS_TAGS.user, op: '!=' as const, value: NONE }];
  const sums = async (by: string[], where = scope.where) => new Map((await rollups.groups({ ...scope, by, where })).map((g) => [g.values[0] ?? NONE, g]));
  const counts = (key: string, seg: string) => entityCounts(db, key, seg, pieces);
  const spend = (g: CostCounts | undefined): CostCounts => (g ? costCountsOf(g) : zeroCostCounts());

  const total = (await sums([])).get(NONE)!;
  const users = await counts(ECONOMICS_TAGS.user, '');
  const sessions = await counts(ECONOMICS_TAGS.session, '');
  const overall = {
    ...spend(total),
    activeUsers: users.get('') ?? 0,
    userSpend: spend((await sums([], withUser)).get(NONE)),
    sessions: sessions.get('') ?? 0,
    sessionSpend: spend((await sums([], withSession)).get(NONE)),
  };

  const tierUsers = await counts(ECONOMICS_TAGS.user, ECONOMICS_TAGS.tier);
  const tierSessions = await counts(ECONOMICS_TAGS.session, ECONOMICS_TAGS.tier);
  const tierSessionCost = await sums([ECONOMICS_TAGS.tier], withSession);
  const tierUserCost = await sums([ECONOMICS_TAGS.tier], withUser);
  const tiers: TierAggregate[] = [...(await sums([ECONOMICS_TAGS.tier])).values()].map((g) => ({
    segment: g.values[0]!,
    ...spend(g),
    activeUsers: tierUsers.get(g.values[0]!) ?? 0,
    userSpend: spend(tierUserCost.get(g.values[0]!)),
    sessions: tierSessions.get(g.values[0]!) ?? 0,
    sessionSpend: spend(tierSessionCost.get(g.values[0]!)),
  }));
  const tenantUsers = await counts(ECONOMICS_TAGS.user, ECONOMICS_TAGS.tenant);
  const tenants: SegmentAggregate[] = [...(await sums([ECONOMICS_TAGS.tenant])).values()].map((g) => ({
    segment: g.values[0]!,
    ...spend(g),
    activeUsers: tenantUsers.get(g.values[0]!) ?? 0,
  }));
  return { overall, tiers: tiers.sort(byCost), tenants: tenants.sort(byCost) };
}

interface Row {
  segment: string | null;
  calls: number;
  priced: number;
  cost: number;
  users: number;
  user_calls: number;
  user_priced: number;
  user_cost: number;
  sessions: number;
  session_calls: number;
  session_priced: number;
  session_cost: number;
}

/** One query per segmentation (overall, by user_tier, by tenant_id) over the raw call log; priced counts as measures.ts callMeasuresSql. */
export async function economicsFromRawRows(db: Db, scope: Scope): Promise<EconomicsAggregates> {
  const tagJoin = (alias: string, key: string): Fragment => tagJoinSql(db.dialect, alias, key);
  const run = async (segmentKey: string | undefined, withSessions: boolean): Promise<TierAggregate[]> => {
    const query = joinFragments(
      `SELECT ${segmentKey ? `COALESCE(g.value, '${NONE}')` : `'${NONE}'`} AS segment,
        COUNT(*) AS calls, COUNT(c.cost_nano) AS priced, COALESCE(SUM(c.cost_nano), 0) AS cost, COUNT(DISTINCT u.value) AS users,
        COUNT(u.value) AS user_calls, COUNT(CASE WHEN u.value IS NOT NULL THEN c.cost_nano END) AS user_priced,
        COALESCE(SUM(CASE WHEN u.value IS NOT NULL THEN c.cost_nano END), 0) AS user_cost,
        ${withSessions ? 'COUNT(DISTINCT s.value)' : '0'} AS sessions, ${withSessions ? 'COUNT(s.value)' : '0'} AS session_calls,
        ${withSessions ? 'COUNT(CASE WHEN s.value IS NOT NULL THEN c.cost_nano END)' : '0'} AS session_priced,
        ${withSessions ? 'COALESCE(SUM(CASE WHEN s.value IS NOT NULL THEN c.cost_nano END), 0)' : '0'} AS session_cost
       FROM calls c`,
      tagJoin('u', ECONOMICS_TAGS.user),
      withSessions ? tagJoin('s', ECONOMICS_TAGS.session) : '',
      segmentKey ? tagJoin('g', segmentKey) : '',
      whereFragment(db.dialect, scope),
      segmentKey ? 'GROUP BY 1' : '',
    );
    return (await db.all<Row>(query.sql, query.params))
      .filter((r) => Number(r.calls) > 0)
      .map((r) => ({
        segment: r.segment ?? NONE,
        calls: Number(r.calls),
        pricedCalls: Number(r.priced),
        costNano: Number(r.cost),
        activeUsers: Number(r.users),
        userSpend: { costNano: Number(r.user_cost), calls: Number(r.user_calls), pricedCalls: Number(r.user_priced) },
        sessions: Number(r.sessions),
        sessionSpend: { costNano: Number(r.session_cost), calls: Number(r.session_calls), pricedCalls: Number(r.session_priced) },
      }))
      .sort(byCost);
  };
  const overall = (await run(undefined, true))[0] ?? { segment: NONE, ...zeroCostCounts(), activeUsers: 0, userSpend: zeroCostCounts(), sessions: 0, sessionSpend: zeroCostCounts() };
  const { segment: _ignored, ...overallSums } = overall;
  const tenants = (await run(ECONOMICS_TAGS.tenant, false)).map(({ segment, calls, pricedCalls, costNano, activeUsers }) => ({ segment, calls, pricedCalls, costNano, activeUsers }));
  return { overall: overallSums, tiers: await run(ECONOMICS_TAGS.tier, true), tenants };
}
