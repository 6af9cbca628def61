import type { SqlDriver } from '../store/types.js';
import { entityCounts, monthPieces } from './entity-months.js';
import { compareUtf8 } from './rollup-source.js';
import { readRollupState } from './rollup-state.js';
import { reportSource } from './source.js';
import { joinFragments, whereFragment, type Fragment, type Scope } from './sql-scope.js';
import { NONE } from './types.js';

/**
 * Aggregates behind unit economics. Active users and sessions are exact distinct counts
 * of the user_id / session_id tags, never estimates; all money is integer nano-USD and
 * unpriced calls add nothing to cost.
 *
 * Two ways to the same numbers: calls and cost (also of calls with a session) from the
 * report source (rollups with an entity-presence filter), distinct users and sessions
 * from entity_months (entity-months.ts) — used when the range is made of whole UTC
 * months, month prefixes and suffixes (any zone's calendar month), there are no --where
 * or --key filters, and user_tier / tenant_id are rolled up. Otherwise the raw call log
 * answers, with COUNT(DISTINCT …) over call_tags.
 */

/** Tag keys unit economics reads. */
export const ECONOMICS_TAGS = { user: 'user_id', tier: 'user_tier', tenant: 'tenant_id', session: 'session_id' } as const;

export interface SegmentAggregate {
  /** Tier or tenant value; `(none)` for calls without the tag. */
  segment: string;
  calls: number;
  costNano: number;
  /** Distinct user_id values among the segment's calls. */
  activeUsers: number;
}

export interface TierAggregate extends SegmentAggregate {
  /** Distinct session_id values among the tier's calls. */
  sessions: number;
  /** Cost of the tier's calls that carry a session_id. */
  sessionCostNano: number;
}

export interface EconomicsAggregates {
  overall: Omit<TierAggregate, 'segment'>;
  /** Most expensive first (ties by segment). */
  tiers: TierAggregate[];
  tenants: SegmentAggregate[];
}

/**
 * The aggregates, from rollups when the scope allows, else from raw calls; `prunedBefore`
 * is the retention cutoff (ms) when the raw path had to read time before it (its figures
 * then cover calls from the cutoff on only), else null.
 */
export function economicsAggregates(driver: SqlDriver, scope: Scope): EconomicsAggregates & { prunedBefore: number | null } {
  const fast = economicsFromRollups(driver, scope);
  if (fast) return { ...fast, prunedBefore: null };
  const rawSince = readRollupState(driver)?.rawSince ?? 0;
  return { ...economicsFromRawRows(driver, scope), prunedBefore: scope.since < rawSince ? rawSince : null };
}

const byCost = (a: SegmentAggregate, b: SegmentAggregate) => b.costNano - a.costNano || compareUtf8(a.segment, b.segment);

/** From rollups and entity_months; undefined when the scope does not allow it. */
export function economicsFromRollups(driver: SqlDriver, scope: Scope): EconomicsAggregates | undefined {
  if (scope.where.length > 0 || scope.keyName !== undefined) return undefined;
  const state = readRollupState(driver);
  if (!state || !state.rolledUp(ECONOMICS_TAGS.tier) || !state.rolledUp(ECONOMICS_TAGS.tenant)) return undefined;
  const pieces = monthPieces(scope, state);
  if (!pieces) return undefined;

  const source = reportSource(driver);
  const withSession = [{ key: ECONOMICS_TAGS.session, op: '!=' as const, value: NONE }];
  const sums = (by: string[], where = scope.where) => new Map(source.groups({ ...scope, by, where }).map((g) => [g.values[0] ?? NONE, g]));
  const counts = (key: string, seg: string) => entityCounts(driver, key, seg, pieces);

  const total = sums([]).get(NONE)!;
  const users = counts(ECONOMICS_TAGS.user, '');
  const sessions = counts(ECONOMICS_TAGS.session, '');
  const overall = {
    calls: total.calls,
    costNano: total.costNano,
    activeUsers: users.get('') ?? 0,
    sessions: sessions.get('') ?? 0,
    sessionCostNano: sums([], withSession).get(NONE)?.costNano ?? 0,
  };

  const tierUsers = counts(ECONOMICS_TAGS.user, ECONOMICS_TAGS.tier);
  const tierSessions = counts(ECONOMICS_TAGS.session, ECONOMICS_TAGS.tier);
  const tierSessionCost = sums([ECONOMICS_TAGS.tier], withSession);
  const tiers: TierAggregate[] = [...sums([ECONOMICS_TAGS.tier]).values()].map((g) => ({
    segment: g.values[0]!,
    calls: g.calls,
    costNano: g.costNano,
    activeUsers: tierUsers.get(g.values[0]!) ?? 0,
    sessions: tierSessions.get(g.values[0]!) ?? 0,
    sessionCostNano: tierSessionCost.get(g.values[0]!)?.costNano ?? 0,
  }));
  const tenantUsers = counts(ECONOMICS_TAGS.user, ECONOMICS_TAGS.tenant);
  const tenants: SegmentAggregate[] = [...sums([ECONOMICS_TAGS.tenant]).values()].map((g) => ({
    segment: g.values[0]!,
    calls: g.calls,
    costNano: g.costNano,
    activeUsers: tenantUsers.get(g.values[0]!) ?? 0,
  }));
  return { overall, tiers: tiers.sort(byCost), tenants: tenants.sort(byCost) };
}

interface Row {
  segment: string | null;
  calls: number;
  cost: number;
  users: number;
  sessions: number;
  session_cost: number;
}

const tagJoin = (alias: string, key: string): Fragment => ({
  sql: `LEFT JOIN call_tags ${alias} ON ${alias}.call_id = c.id AND ${alias}.key = ?`,
  params: [key],
});

/** One query per segmentation (overall, by user_tier, by tenant_id) over the raw call log. */
export function economicsFromRawRows(driver: SqlDriver, scope: Scope): EconomicsAggregates {
  const run = (segmentKey: string | undefined, withSessions: boolean): TierAggregate[] => {
    const query = joinFragments(
      `SELECT ${segmentKey ? `COALESCE(g.value, '${NONE}')` : `'${NONE}'`} AS segment,
        COUNT(*) AS calls, COALESCE(SUM(c.cost_nano), 0) AS cost, COUNT(DISTINCT u.value) AS users,
        ${withSessions ? 'COUNT(DISTINCT s.value)' : '0'} AS sessions,
        ${withSessions ? 'COALESCE(SUM(CASE WHEN s.value IS NOT NULL THEN c.cost_nano END), 0)' : '0'} AS session_cost
       FROM calls c`,
      tagJoin('u', ECONOMICS_TAGS.user),
      withSessions ? tagJoin('s', ECONOMICS_TAGS.session) : '',
      segmentKey ? tagJoin('g', segmentKey) : '',
      whereFragment(scope),
      segmentKey ? 'GROUP BY 1 ORDER BY cost DESC, segment' : '',
    );
    return driver
      .prepare(query.sql)
      .all<Row>(...query.params)
      .filter((r) => Number(r.calls) > 0)
      .map((r) => ({
        segment: r.segment ?? NONE,
        calls: Number(r.calls),
        costNano: Number(r.cost),
        activeUsers: Number(r.users),
        sessions: Number(r.sessions),
        sessionCostNano: Number(r.session_cost),
      }));
  };
  const overall = run(undefined, true)[0] ?? { segment: NONE, calls: 0, costNano: 0, activeUsers: 0, sessions: 0, sessionCostNano: 0 };
  const { segment: _ignored, ...overallSums } = overall;
  const tenants = run(ECONOMICS_TAGS.tenant, false).map(({ segment, calls, costNano, activeUsers }) => ({ segment, calls, costNano, activeUsers }));
  return { overall: overallSums, tiers: run(ECONOMICS_TAGS.tier, true), tenants };
}
