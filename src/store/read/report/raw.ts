import type { Db } from '../../db.js';
import { callMeasuresSql, measuresFromRow, summedMeasuresSql } from '../../measures.js';
import { unpricedSql, untokenedSpeechSql } from '../../unpriced.js';
import { byteOrderSql, groupMedianSql, inListSql } from '../dialect.js';
import { OTHER_GROUP } from '../dimensions.js';
import { joinFragments, type Fragment } from '../fragment.js';
import { dimensionSql, whereFragment, type Scope } from '../scope.js';
import { byUnpricedOrder, groupKey, type AggregateReads, type AggregateSpec, type Collapse, type GroupAggregate, type P50ByGroup, type UnpricedModel } from './types.js';

/**
 * Report aggregates straight from the raw call log. Everything is aggregated in SQL
 * (GROUP BY over `calls` with one join of the call's tag per tag dimension, dialect.ts
 * tagJoinSql); only group rows leave the database.
 *
 * Index use on SQLite (EXPLAIN QUERY PLAN, checked in test/report/sql-plans.test.ts): the
 * time range searches `calls_ts`; `--key` can use `calls_key_name_ts`; tags are read from
 * each call's calls.tags (json_each), except that an `=` filter on a key never rolled up
 * (TAG_ROW_KEYS: user_id, session_id, request ids) reads that value's postings
 * (call_postings by primary key), which may drive the whole query when more selective.
 * An `=` filter on another key narrows nothing before the range is read.
 * On PostgreSQL the time range searches the (ts, call_uid) key and tags are read from
 * each call's row (calls.tags): tag filters narrow nothing before the range is read.
 *
 * p50 latency is exact here and the only figure that needs individual rows, none of
 * which leave the database: per group, the window median (dialect.ts groupMedianSql)
 * returns the one or two middle rows; without groups a bounded sort (ORDER BY latency
 * LIMIT 1–2 OFFSET middle) is cheaper. Both sort the scoped rows, which makes p50 the
 * most expensive part of a raw report (roughly twice a GROUP BY); the plan
 * (report/plan.ts) uses it only while the scope is small or nothing else can answer.
 */
export function createRawReads(db: Db): AggregateReads {
  const all = <T>(f: Fragment): Promise<T[]> => db.all<T>(f.sql, f.params);

  const totalP50 = async (scope: Scope): Promise<P50ByGroup> => {
    const where = whereFragment(db.dialect, scope);
    const n = Number((await all<{ n: number }>(joinFragments('SELECT COUNT(*) AS n FROM calls c', where)))[0]?.n ?? 0);
    if (n === 0) return new Map();
    const middle = await all<{ lat: number }>(
      joinFragments('SELECT c.latency_ms AS lat FROM calls c', where, {
        sql: 'ORDER BY c.latency_ms LIMIT ? OFFSET ?',
        params: n % 2 === 1 ? [1, (n - 1) / 2] : [2, n / 2 - 1],
      }),
    );
    return new Map([[groupKey([]), middle.reduce((a, r) => a + Number(r.lat), 0) / middle.length]]);
  };

  return {
    async groups(spec: AggregateSpec, collapse?: Collapse): Promise<GroupAggregate[]> {
      const n = spec.by.length;
      const dims = await dimensionSql(db, spec.by, spec);
      const dimNames = dims.exprs.map((_, i) => `d${i}`);
      const inner = joinFragments(
        `SELECT ${[...dims.exprs.map((e, i) => `${e} AS d${i}`), callMeasuresSql('c')].join(', ')} FROM calls c`,
        dims.joins,
        whereFragment(db.dialect, spec),
        n > 0 ? `GROUP BY ${dimNames.join(', ')}` : '',
      );
      const query = n > 0 && collapse ? collapsed(inner, dimNames, collapse) : inner;
      return (await all<Record<string, unknown>>(query)).map((r) => ({ values: dimNames.map((d) => String(r[d])), ...measuresFromRow(r) }));
    },

    async p50(spec: AggregateSpec, keep?: readonly string[]): Promise<P50ByGroup> {
      if (spec.by.length === 0) return totalP50(spec);
      const dims = await dimensionSql(db, spec.by, spec);
      const cols = dims.exprs.map((e, i): Fragment => {
        if (i > 0 || !keep) return { sql: `${e} AS d${i}`, params: [] };
        const kept = inListSql(db.dialect, e, keep);
        return { sql: `CASE WHEN ${kept.sql} THEN ${e} ELSE '${OTHER_GROUP}' END AS d${i}`, params: kept.params };
      });
      const dimNames = dims.exprs.map((_, i) => `d${i}`);
      const base = joinFragments(
        { sql: `SELECT ${[...cols.map((c) => c.sql), 'c.latency_ms AS lat'].join(', ')} FROM calls c`, params: cols.flatMap((c) => c.params) },
        dims.joins,
        whereFragment(db.dialect, spec),
        'AND c.latency_ms IS NOT NULL',
      );
      const out: P50ByGroup = new Map();
      for (const r of await all<Record<string, unknown>>(groupMedianSql(db.dialect, base, dimNames))) {
        if (r.p50 === null) continue;
        out.set(groupKey(dimNames.map((d) => String(r[d]))), Number(r.p50));
      }
      return out;
    },

    async unpriced(scope: Scope): Promise<UnpricedModel[]> {
      const query = joinFragments(
        `SELECT COALESCE(c.model, c.model_requested, '(unknown)') AS model, c.provider AS provider, COUNT(*) AS calls, MAX(CASE WHEN ${untokenedSpeechSql('c')} THEN 1 ELSE 0 END) AS speech FROM calls c`,
        whereFragment(db.dialect, scope),
        `AND ${unpricedSql('c')} GROUP BY 1, 2`,
      );
      const rows = (await all<{ model: string; provider: string; calls: number; speech: number }>(query)).map(
        (r): UnpricedModel => ({ model: r.model, provider: r.provider, calls: Number(r.calls), ...(Number(r.speech) === 1 ? { speechWithoutTokens: true } : {}) }),
      );
      return rows.sort(byUnpricedOrder);
    },
  };

  /** Folds the first dimension of the grouped `inner` query (top N by cost, or a kept list) in SQL. */
  function collapsed(inner: Fragment, dimNames: readonly string[], collapse: Collapse): Fragment {
    const rest = dimNames.slice(1).map((d) => `g.${d} AS ${d}`);
    const groupBy = `GROUP BY ${['1', ...rest.map((_, i) => String(i + 2))].join(', ')}`;
    const folded = (keepTest: Fragment): Fragment => ({ sql: `CASE WHEN ${keepTest.sql} THEN g.d0 ELSE '${OTHER_GROUP}' END AS d0`, params: keepTest.params });
    const select = (keepTest: Fragment) => {
      const d0 = folded(keepTest);
      return { sql: `SELECT ${[d0.sql, ...rest, summedMeasuresSql('g')].join(', ')}`, params: d0.params };
    };
    if ('top' in collapse) {
      return joinFragments(
        'WITH g AS (',
        inner,
        `), r AS (SELECT d0, ROW_NUMBER() OVER (ORDER BY SUM(cost_nano) DESC, SUM(calls) DESC, ${byteOrderSql(db.dialect, 'd0')}) AS rn FROM g GROUP BY d0)`,
        select({ sql: 'r.rn <= ?', params: [collapse.top] }),
        `FROM g JOIN r ON r.d0 = g.d0 ${groupBy}`,
      );
    }
    return joinFragments('WITH g AS (', inner, ')', select(inListSql(db.dialect, 'g.d0', collapse.keep)), `FROM g ${groupBy}`);
  }
}
