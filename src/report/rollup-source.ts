import type { SqlDriver } from '../store/types.js';
import { HOUR_MS } from '../store/rollup-policy.js';
import { addPairs, histogramP50, newHistogram, type Histogram } from './histogram.js';
import { planRange, type RangePlan } from './rollup-plan.js';
import { partQuery, passesTagFilters, runPart, UNKNOWN_MODEL_EXPR, type PartOptions, type PartQuery, type PartRow } from './rollup-query.js';
import type { RollupState } from './rollup-state.js';
import { dimensionSql, joinFragments, whereFragment, type Scope } from './sql-scope.js';
import { groupKey, type AggregateSpec, type Collapse, type GroupAggregate, type ReportSource } from './source.js';
import { NONE, OTHER, type UnpricedModel } from './types.js';

/**
 * Report aggregates from the rollup tables, for queries that involve at most one
 * rolled-up tag key (the caller checks with rollupTagKey). Whole hours come from
 * rollups, cut hours from raw rows (rollup-plan.ts); the pieces are added per group in
 * JavaScript, then top-N folding happens here with the same ranking as raw-source.ts.
 * Sums and unpriced counts equal raw aggregation exactly; p50 comes from latency
 * histograms (within P50_RELATIVE_ERROR, store/rollup-policy.ts).
 */

/** Compares strings the way SQLite's BINARY collation does (UTF-8 bytes). */
export function compareUtf8(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const emptyAggregate = (values: string[]): GroupAggregate => ({
  values, costNano: 0, calls: 0, pricedCalls: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0,
});

function addAggregate(into: Map<string, GroupAggregate>, values: string[], g: Omit<GroupAggregate, 'values'>, sign: number): void {
  const key = groupKey(values);
  let t = into.get(key);
  if (!t) into.set(key, (t = emptyAggregate(values)));
  t.costNano += sign * g.costNano;
  t.calls += sign * g.calls;
  t.pricedCalls += sign * g.pricedCalls;
  t.unpricedCalls += sign * g.unpricedCalls;
  t.inputTokens += sign * g.inputTokens;
  t.outputTokens += sign * g.outputTokens;
  t.cachedInputTokens += sign * g.cachedInputTokens;
}

const fromPart = (r: PartRow): Omit<GroupAggregate, 'values'> => ({
  costNano: r.cost, calls: r.calls, pricedCalls: r.priced, unpricedCalls: r.unpriced, inputTokens: r.input, outputTokens: r.output, cachedInputTokens: r.cached,
});

/** Folds the first value: `top` most expensive kept (cost desc, calls desc, value by bytes), or exactly `keep`. */
export function collapseGroups(groups: readonly GroupAggregate[], collapse: Collapse): GroupAggregate[] {
  let kept: Set<string>;
  if ('top' in collapse) {
    const firsts = new Map<string, { cost: number; calls: number }>();
    for (const g of groups) {
      const t = firsts.get(g.values[0]!) ?? { cost: 0, calls: 0 };
      firsts.set(g.values[0]!, { cost: t.cost + g.costNano, calls: t.calls + g.calls });
    }
    const ranked = [...firsts.entries()].sort((a, b) => b[1].cost - a[1].cost || b[1].calls - a[1].calls || compareUtf8(a[0], b[0]));
    kept = new Set(ranked.slice(0, collapse.top).map(([v]) => v));
  } else {
    kept = new Set(collapse.keep);
  }
  const out = new Map<string, GroupAggregate>();
  for (const g of groups) {
    const values = [kept.has(g.values[0]!) ? g.values[0]! : OTHER, ...g.values.slice(1)];
    addAggregate(out, values, g, 1);
  }
  return [...out.values()];
}

/** A ReportSource on rollups, plus the merged latency histogram of a whole scope. */
export interface RollupSource extends ReportSource {
  /** Bucket counts of every call in the scope (`spec.by` ignored). */
  histogram(scope: Scope): Histogram;
}

export function createRollupSource(driver: SqlDriver, state: RollupState, raw: ReportSource, tagKeyOf: (spec: AggregateSpec) => string | null): RollupSource {
  const span = state.firstHour === null || state.lastHour === null ? null : { since: state.firstHour, until: state.lastHour + HOUR_MS };
  // One report asks for the same part more than once (the "all" histogram of --by K is also the total's).
  const parts = new Map<string, PartRow[]>();
  const run = (q: PartQuery, labelCount: number): PartRow[] => {
    const key = JSON.stringify([q.sql, q.params]);
    let rows = parts.get(key);
    if (!rows) parts.set(key, (rows = runPart(driver, q, labelCount)));
    return rows;
  };
  const plan = (spec: AggregateSpec): RangePlan => planRange(spec, spec.by, spec.timeZone, state.rawSince, span);

  /**
   * Runs the parts of one query and calls `add` with each row's full group values and
   * sign: tagged rows under their value (+1) and under (none) (−1), "all" rows under (none).
   */
  function eachRow(spec: AggregateSpec, kind: 'sums' | 'latency', p: RangePlan, options: PartOptions, add: (values: string[], r: PartRow, sign: number) => void): void {
    const tagKey = tagKeyOf(spec);
    const labelCount = spec.by.filter((d) => d !== tagKey).length;
    const values = (r: PartRow, k: string) => {
      let i = 0;
      return spec.by.map((d) => (d === tagKey ? k : r.labels[i++]!));
    };
    if (p.from >= p.to) return;
    const noneKept = tagKey === null || passesTagFilters(spec.where, tagKey, NONE);
    if (tagKey !== null) {
      for (const r of run(partQuery('tagged', kind, spec, tagKey, p, state, options), labelCount)) {
        if (passesTagFilters(spec.where, tagKey, r.tv!)) add(values(r, r.tv!), r, 1);
        if (noneKept) add(values(r, NONE), r, -1);
      }
    }
    if (noneKept) {
      for (const r of run(partQuery('all', kind, spec, tagKey, p, state, options), labelCount)) add(values(r, NONE), r, 1);
    }
  }

  /** Sums per group; with `rollupsOnly` the raw slices of the plan are left to the caller. */
  function sums(spec: AggregateSpec, options: PartOptions = {}, rollupsOnly = false): GroupAggregate[] {
    const p = plan(spec);
    const out = new Map<string, GroupAggregate>();
    eachRow(spec, 'sums', p, options, (values, r, sign) => addAggregate(out, values, fromPart(r), sign));
    for (const slice of rollupsOnly ? [] : p.raw) {
      for (const g of raw.groups({ ...spec, ...slice })) addAggregate(out, g.values, g, 1);
    }
    const groups = [...out.values()].filter((g) => g.calls !== 0);
    if (spec.by.length === 0 && groups.length === 0) return [emptyAggregate([])];
    return groups;
  }

  function histograms(spec: AggregateSpec, keep?: readonly string[]): Map<string, Histogram> {
    const p = plan(spec);
    const kept = keep ? new Set(keep) : undefined;
    const out = new Map<string, Histogram>();
    const histogramOf = (values: string[]): Histogram => {
      const key = groupKey(kept && !kept.has(values[0]!) ? [OTHER, ...values.slice(1)] : values);
      let h = out.get(key);
      if (!h) out.set(key, (h = newHistogram()));
      return h;
    };
    eachRow(spec, 'latency', p, {}, (values, r, sign) => addPairs(histogramOf(values), r.hist!, sign));
    for (const slice of p.raw) {
      for (const r of rawHistogram(driver, { ...spec, ...slice })) histogramOf(r.values)[r.bucket]! += r.n;
    }
    return out;
  }

  return {
    groups(spec: AggregateSpec, collapse?: Collapse): GroupAggregate[] {
      const groups = sums(spec);
      return collapse && spec.by.length > 0 ? collapseGroups(groups, collapse) : groups;
    },

    p50(spec: AggregateSpec, keep?: readonly string[]): Map<string, number> {
      const out = new Map<string, number>();
      for (const [key, h] of histograms(spec, keep)) {
        const p50 = histogramP50(h);
        if (p50 !== null) out.set(key, p50);
      }
      return out;
    },

    histogram(scope: Scope): Histogram {
      return histograms({ ...scope, by: [] }).get(groupKey([])) ?? newHistogram();
    },

    unpriced(scope: Scope): UnpricedModel[] {
      const spec = { ...scope, by: ['model'] };
      const byModel = new Map<string, number>();
      const add = (model: string, n: number) => byModel.set(model, (byModel.get(model) ?? 0) + n);
      for (const g of sums(spec, { modelExpr: UNKNOWN_MODEL_EXPR }, true)) if (g.unpricedCalls > 0) add(g.values[0]!, g.unpricedCalls);
      for (const slice of plan(spec).raw) for (const u of raw.unpriced({ ...scope, ...slice })) add(u.model, u.calls);
      return [...byModel.entries()].map(([model, calls]) => ({ model, calls })).sort((a, b) => b.calls - a.calls || compareUtf8(a.model, b.model));
    },
  };
}

/** Latency bucket counts per group of raw calls in a scope (the cut hours of a rollup plan). */
function rawHistogram(driver: SqlDriver, spec: AggregateSpec): Array<{ values: string[]; bucket: number; n: number }> {
  const dims = dimensionSql(driver, spec.by, spec);
  const names = dims.exprs.map((_, i) => `d${i}`);
  const q = joinFragments(
    `SELECT ${[...dims.exprs.map((e, i) => `${e} AS d${i}`), 'COALESCE((SELECT b.bucket FROM latency_buckets b WHERE b.lo <= c.latency_ms ORDER BY b.lo DESC LIMIT 1), 0) AS bucket', 'COUNT(*) AS n'].join(', ')} FROM calls c`,
    dims.joins,
    whereFragment(spec),
    `GROUP BY ${[...names, 'bucket'].join(', ')}`,
  );
  return driver
    .prepare(q.sql)
    .all<Record<string, unknown>>(...q.params)
    .map((r) => ({ values: names.map((d) => String(r[d])), bucket: Number(r.bucket), n: Number(r.n) }));
}
