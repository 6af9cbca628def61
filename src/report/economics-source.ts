import type { SqlDriver } from '../store/types.js';
import { joinFragments, whereFragment, type Fragment, type Scope } from './sql-scope.js';
import { NONE } from './types.js';

/**
 * Raw-log aggregates behind unit economics. Active users and sessions are exact
 * COUNT(DISTINCT …) over call_tags values, never estimates; that is why these always
 * read raw calls (high-cardinality tags such as user_id are not rolled up). All money is
 * integer nano-USD; unpriced calls add nothing to cost.
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
  /** Distinct session_id values among the segment's calls. */
  sessions: number;
  /** Cost of the segment's calls that carry a session_id. */
  sessionCostNano: number;
}

export interface EconomicsAggregates {
  overall: Omit<SegmentAggregate, 'segment'>;
  tiers: SegmentAggregate[];
  tenants: SegmentAggregate[];
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

/** One query per segmentation: by nothing (overall), by user_tier, by tenant_id. */
export function economicsAggregates(driver: SqlDriver, scope: Scope): EconomicsAggregates {
  const run = (segmentKey: string | undefined): SegmentAggregate[] => {
    const query = joinFragments(
      `SELECT ${segmentKey ? `COALESCE(g.value, '${NONE}')` : `'${NONE}'`} AS segment,
        COUNT(*) AS calls, COALESCE(SUM(c.cost_nano), 0) AS cost,
        COUNT(DISTINCT u.value) AS users, COUNT(DISTINCT s.value) AS sessions,
        COALESCE(SUM(CASE WHEN s.value IS NOT NULL THEN c.cost_nano END), 0) AS session_cost
       FROM calls c`,
      tagJoin('u', ECONOMICS_TAGS.user),
      tagJoin('s', ECONOMICS_TAGS.session),
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
  const overall = run(undefined)[0] ?? { segment: NONE, calls: 0, costNano: 0, activeUsers: 0, sessions: 0, sessionCostNano: 0 };
  const { segment: _ignored, ...overallSums } = overall;
  return { overall: overallSums, tiers: run(ECONOMICS_TAGS.tier), tenants: run(ECONOMICS_TAGS.tenant) };
}
