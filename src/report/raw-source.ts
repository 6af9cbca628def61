import type { SqlDriver, SqlValue } from '../store/types.js';
import { dimensionSql, joinFragments, whereFragment, type Fragment, type Scope } from './sql-scope.js';
import { groupKey, type AggregateSpec, type Collapse, type GroupAggregate, type ReportSource } from './source.js';
import { OTHER, type UnpricedModel } from './types.js';

/**
 * Report aggregates straight from the raw call log. Everything is aggregated in SQLite
 * (GROUP BY over `calls` with one LEFT JOIN of call_tags per tag dimension); only group
 * rows reach JavaScript.
 *
 * Index use (EXPLAIN QUERY PLAN, checked in test/report/plan.test.ts): the time range
 * searches `calls_ts`; `--key` can use `calls_key_name_ts`; tag dimensions and `!=` /
 * `(none)` filters look up call_tags by its primary key (call_id, key); `=` tag filters
 * read `call_tags_key_value` and may drive the whole query when more selective.
 *
 * p50 latency is the only figure that needs individual rows, and none of them reach
 * JavaScript: per group, a window function ranks latencies (ROW_NUMBER and a full-frame
 * COUNT over one window PARTITION BY group ORDER BY latency, so SQLite sorts once) and
 * only the one or two middle rows per group come back; the overall p50 is a bounded sort
 * (ORDER BY latency LIMIT 1–2 OFFSET middle). Both sort the scoped rows, which makes p50
 * the most expensive part of a raw report (roughly twice a GROUP BY) and the first
 * candidate for a latency histogram once rollups exist.
 */

/** A call is "unpriced" when its usage is known but its model had no price. */
const UNPRICED = 'c.cost_nano IS NULL AND c.input_tokens IS NOT NULL';

const SUMS = `
  COALESCE(SUM(c.cost_nano), 0) AS cost,
  COUNT(*) AS calls,
  COUNT(c.cost_nano) AS priced,
  COALESCE(SUM(CASE WHEN ${UNPRICED} THEN 1 ELSE 0 END), 0) AS unpriced,
  COALESCE(SUM(c.input_tokens), 0) AS input,
  COALESCE(SUM(c.output_tokens), 0) AS output,
  COALESCE(SUM(c.cached_input_tokens), 0) AS cached`;

const RESUM = `SUM(g.cost) AS cost, SUM(g.calls) AS calls, SUM(g.priced) AS priced, SUM(g.unpriced) AS unpriced,
  SUM(g.input) AS input, SUM(g.output) AS output, SUM(g.cached) AS cached`;

interface SumRow {
  cost: number;
  calls: number;
  priced: number;
  unpriced: number;
  input: number;
  output: number;
  cached: number;
  [dim: `d${number}`]: string;
}

export function createRawSource(driver: SqlDriver): ReportSource {
  const all = <T>(f: Fragment): T[] => driver.prepare(f.sql).all<T>(...f.params);

  /** Without groups a bounded sort (ORDER BY … LIMIT/OFFSET at the middle) beats the window query. */
  const totalP50 = (scope: Scope): Map<string, number> => {
    const where = whereFragment(scope);
    const n = Number(all<{ n: number }>(joinFragments('SELECT COUNT(*) AS n FROM calls c', where))[0]?.n ?? 0);
    if (n === 0) return new Map();
    const middle = all<{ lat: number }>(
      joinFragments('SELECT c.latency_ms AS lat FROM calls c', where, {
        sql: 'ORDER BY c.latency_ms LIMIT ? OFFSET ?',
        params: n % 2 === 1 ? [1, (n - 1) / 2] : [2, n / 2 - 1],
      }),
    );
    return new Map([[groupKey([]), middle.reduce((a, r) => a + Number(r.lat), 0) / middle.length]]);
  };

  return {
    groups(spec: AggregateSpec, collapse?: Collapse): GroupAggregate[] {
      const n = spec.by.length;
      const dims = dimensionSql(driver, spec.by, spec);
      const cols = dims.exprs.map((e, i) => `${e} AS d${i}`);
      const dimNames = dims.exprs.map((_, i) => `d${i}`);
      const inner = joinFragments(
        `SELECT ${[...cols, SUMS].join(', ')} FROM calls c`,
        dims.joins,
        whereFragment(spec),
        n > 0 ? `GROUP BY ${dimNames.join(', ')}` : '',
      );
      let query = inner;
      if (n > 0 && collapse) {
        const rest = dimNames.slice(1).map((d) => `g.${d} AS ${d}`);
        const folded = (keepTest: string) => `CASE WHEN ${keepTest} THEN g.d0 ELSE '${OTHER}' END AS d0`;
        const groupBy = `GROUP BY ${['1', ...rest.map((_, i) => String(i + 2))].join(', ')}`;
        if ('top' in collapse) {
          query = joinFragments(
            'WITH g AS (',
            inner,
            `), r AS (SELECT d0, ROW_NUMBER() OVER (ORDER BY SUM(cost) DESC, SUM(calls) DESC, d0) AS rn FROM g GROUP BY d0)`,
            { sql: `SELECT ${[folded('r.rn <= ?'), ...rest, RESUM].join(', ')}`, params: [collapse.top] },
            `FROM g JOIN r ON r.d0 = g.d0 ${groupBy}`,
          );
        } else {
          query = joinFragments(
            'WITH g AS (',
            inner,
            ')',
            { sql: `SELECT ${[folded('g.d0 IN (SELECT value FROM json_each(?))'), ...rest, RESUM].join(', ')}`, params: [JSON.stringify(collapse.keep)] },
            `FROM g ${groupBy}`,
          );
        }
      }
      return all<SumRow>(query).map((r) => ({
        values: dimNames.map((d) => String(r[d as `d${number}`])),
        costNano: Number(r.cost),
        calls: Number(r.calls),
        pricedCalls: Number(r.priced),
        unpricedCalls: Number(r.unpriced),
        inputTokens: Number(r.input),
        outputTokens: Number(r.output),
        cachedInputTokens: Number(r.cached),
      }));
    },

    p50(spec: AggregateSpec, keep?: readonly string[]): Map<string, number> {
      if (spec.by.length === 0) return totalP50(spec);
      const dims = dimensionSql(driver, spec.by, spec);
      const selectParams: SqlValue[] = [];
      const cols = dims.exprs.map((e, i) => {
        if (i === 0 && keep) {
          selectParams.push(JSON.stringify(keep));
          return `CASE WHEN ${e} IN (SELECT value FROM json_each(?)) THEN ${e} ELSE '${OTHER}' END AS d${i}`;
        }
        return `${e} AS d${i}`;
      });
      const dimNames = dims.exprs.map((_, i) => `d${i}`);
      const partition = dimNames.length > 0 ? `PARTITION BY ${dimNames.join(', ')}` : '';
      const query = joinFragments(
        { sql: `WITH base AS (SELECT ${[...cols, 'c.latency_ms AS lat'].join(', ')} FROM calls c`, params: selectParams },
        dims.joins,
        whereFragment(spec),
        `AND c.latency_ms IS NOT NULL), ranked AS (SELECT *, ROW_NUMBER() OVER w AS rn,`,
        // Same window for both so SQLite sorts once.
        `COUNT(*) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n FROM base WINDOW w AS (${partition} ORDER BY lat))`,
        `SELECT ${[...dimNames, 'AVG(lat) AS p50'].join(', ')} FROM ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2)`,
        dimNames.length > 0 ? `GROUP BY ${dimNames.join(', ')}` : '',
      );
      const out = new Map<string, number>();
      for (const r of all<Record<string, unknown>>(query)) {
        if (r.p50 === null) continue;
        out.set(groupKey(dimNames.map((d) => String(r[d]))), Number(r.p50));
      }
      return out;
    },

    unpriced(scope: Scope): UnpricedModel[] {
      const query = joinFragments(
        `SELECT COALESCE(c.model, c.model_requested, '(unknown)') AS model, COUNT(*) AS calls FROM calls c`,
        whereFragment(scope),
        `AND ${UNPRICED} GROUP BY 1 ORDER BY 2 DESC, 1`,
      );
      return all<{ model: string; calls: number }>(query).map((r) => ({ model: r.model, calls: Number(r.calls) }));
    },
  };
}
