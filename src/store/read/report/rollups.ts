import { untokenedUnit } from '../../../domain/billing-units.js';
import { compareUtf8 } from '../../../lib/byte-order.js';
import type { Db } from '../../db.js';
import { accumulateSigned, zeroMeasures, type Measures } from '../../measures.js';
import { HOUR_MS } from '../../rollup-policy.js';
import { NONE, OTHER_GROUP } from '../dimensions.js';
import { joinFragments, type Fragment } from '../fragment.js';
import { dimensionSql, whereFragment, type Scope } from '../scope.js';
import { addPairs, histogramP50, newHistogram, type Histogram } from './histogram.js';
import { planRange, type RangePlan } from './range-plan.js';
import { partQuery, passesTagFilters, runPart, UNKNOWN_MODEL_SQL, type PartOptions, type PartRow } from './rollup-query.js';
import { rollupTagKey } from './state.js';
import { byUnpricedOrder, groupKey, type AggregateReads, type AggregateSpec, type Collapse, type GroupAggregate, type P50ByGroup, type RollupState, type UnpricedModel } from './types.js';

/**
 * Report aggregates from the rollup tables, for queries that involve at most one
 * rolled-up tag key (state.ts rollupTagKey; the plan checks before choosing this). Whole
 * hours come from rollups, cut hours from raw rows (range-plan.ts); the pieces are added
 * per group in JavaScript, then top-N folding happens here with the same ranking as
 * raw.ts. Sums and unpriced counts equal raw aggregation exactly; p50 comes from latency
 * histograms (within P50_RELATIVE_ERROR, store/rollup-policy.ts).
 */

/** Rollup reads, plus the merged latency histogram of a whole scope. */
export interface RollupReads extends AggregateReads {
  /** Bucket counts of every call in the scope (`by` ignored). */
  histogram(scope: Scope): Promise<Histogram>;
}

function addAggregate(into: Map<string, GroupAggregate>, values: string[], m: Measures, sign: number): void {
  const key = groupKey(values);
  let t = into.get(key);
  if (!t) into.set(key, (t = { values, ...zeroMeasures() }));
  accumulateSigned(t, m, sign);
}

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
  for (const g of groups) addAggregate(out, [kept.has(g.values[0]!) ? g.values[0]! : OTHER_GROUP, ...g.values.slice(1)], g, 1);
  return [...out.values()];
}

/** Rollup reads bound to one RollupState (read once per report); `raw` answers the cut hours. */
export function createRollupReads(db: Db, state: RollupState, raw: AggregateReads): RollupReads {
  const span = state.firstHour === null || state.lastHour === null ? null : { since: state.firstHour, until: state.lastHour + HOUR_MS };
  // One report asks for the same part more than once (the "all" histogram of --by K is also the total's).
  const parts = new Map<string, Promise<PartRow[]>>();
  const run = (q: Fragment, labelCount: number): Promise<PartRow[]> => {
    const key = JSON.stringify([q.sql, q.params]);
    let rows = parts.get(key);
    if (!rows) parts.set(key, (rows = runPart(db, q, labelCount)));
    return rows;
  };
  const plan = (spec: AggregateSpec): RangePlan => planRange(spec, spec.by, spec.timeZone, state.rawSince, span);

  /**
   * Runs the parts of one query and calls `add` with each row's full group values and
   * sign: tagged rows under their value (+1) and under (none) (−1), "all" rows under (none).
   */
  async function eachRow(spec: AggregateSpec, kind: 'sums' | 'latency', p: RangePlan, options: PartOptions, add: (values: string[], r: PartRow, sign: number) => void): Promise<void> {
    const tagKey = rollupTagKey(spec, state) ?? null;
    const labelCount = spec.by.filter((d) => d !== tagKey).length;
    const values = (r: PartRow, k: string) => {
      let i = 0;
      return spec.by.map((d) => (d === tagKey ? k : r.labels[i++]!));
    };
    if (p.from >= p.to) return;
    const noneKept = tagKey === null || passesTagFilters(spec.where, tagKey, NONE);
    if (tagKey !== null) {
      for (const r of await run(partQuery(db.dialect, 'tagged', kind, spec, tagKey, p, state, options), labelCount)) {
        if (passesTagFilters(spec.where, tagKey, r.tv!)) add(values(r, r.tv!), r, 1);
        if (noneKept) add(values(r, NONE), r, -1);
      }
    }
    if (noneKept) {
      for (const r of await run(partQuery(db.dialect, 'all', kind, spec, tagKey, p, state, options), labelCount)) add(values(r, NONE), r, 1);
    }
  }

  /** Measures per group; with `rollupsOnly` the raw slices of the plan are left to the caller. */
  async function sums(spec: AggregateSpec, options: PartOptions = {}, rollupsOnly = false): Promise<GroupAggregate[]> {
    const p = plan(spec);
    const out = new Map<string, GroupAggregate>();
    await eachRow(spec, 'sums', p, options, (values, r, sign) => addAggregate(out, values, r, sign));
    for (const slice of rollupsOnly ? [] : p.raw) {
      for (const g of await raw.groups({ ...spec, ...slice })) addAggregate(out, g.values, g, 1);
    }
    const groups = [...out.values()].filter((g) => g.calls !== 0);
    if (spec.by.length === 0 && groups.length === 0) return [{ values: [], ...zeroMeasures() }];
    return groups;
  }

  async function histograms(spec: AggregateSpec, keep?: readonly string[]): Promise<Map<string, Histogram>> {
    const p = plan(spec);
    const kept = keep ? new Set(keep) : undefined;
    const out = new Map<string, Histogram>();
    const histogramOf = (values: string[]): Histogram => {
      const key = groupKey(kept && !kept.has(values[0]!) ? [OTHER_GROUP, ...values.slice(1)] : values);
      let h = out.get(key);
      if (!h) out.set(key, (h = newHistogram()));
      return h;
    };
    await eachRow(spec, 'latency', p, {}, (values, r, sign) => addPairs(histogramOf(values), r.hist!, sign));
    for (const slice of p.raw) {
      for (const r of await rawHistogram(db, { ...spec, ...slice })) histogramOf(r.values)[r.bucket]! += r.n;
    }
    return out;
  }

  return {
    async groups(spec, collapse) {
      const groups = await sums(spec);
      return collapse && spec.by.length > 0 ? collapseGroups(groups, collapse) : groups;
    },

    async p50(spec, keep) {
      const out: P50ByGroup = new Map();
      for (const [key, h] of await histograms(spec, keep)) {
        const p50 = histogramP50(h);
        if (p50 !== null) out.set(key, p50);
      }
      return out;
    },

    async histogram(scope) {
      return (await histograms({ ...scope, by: [] })).get(groupKey([])) ?? newHistogram();
    },

    async unpriced(scope): Promise<UnpricedModel[]> {
      // By endpoint too: a speech group (`audio.speech`) whose calls sum to no tokens was recorded without them.
      const spec = { ...scope, by: ['provider', 'model', 'endpoint'] };
      const byModel = new Map<string, UnpricedModel>();
      const add = (provider: string, model: string, n: number, speechWithoutTokens: boolean) => {
        const key = groupKey([provider, model]);
        const seen = byModel.get(key) ?? { model, provider, calls: 0 };
        seen.calls += n;
        if (speechWithoutTokens) seen.speechWithoutTokens = true;
        byModel.set(key, seen);
      };
      for (const g of await sums(spec, { modelSql: UNKNOWN_MODEL_SQL }, true)) {
        if (g.unpricedCalls > 0) add(g.values[0]!, g.values[1]!, g.unpricedCalls, untokenedUnit(g.values[2]!, g.inputTokens, g.outputTokens) === 'character');
      }
      for (const slice of plan(spec).raw) for (const u of await raw.unpriced({ ...scope, ...slice })) add(u.provider, u.model, u.calls, u.speechWithoutTokens === true);
      return [...byModel.values()].sort(byUnpricedOrder);
    },
  };
}

/** Latency bucket counts per group of raw calls in a scope (the cut hours of a range plan). */
async function rawHistogram(db: Db, spec: AggregateSpec): Promise<Array<{ values: string[]; bucket: number; n: number }>> {
  const dims = await dimensionSql(db, spec.by, spec);
  const names = dims.exprs.map((_, i) => `d${i}`);
  const bucket = 'COALESCE((SELECT b.bucket FROM latency_buckets b WHERE b.lo <= c.latency_ms ORDER BY b.lo DESC LIMIT 1), 0) AS bucket';
  const q = joinFragments(
    `SELECT ${[...dims.exprs.map((e, i) => `${e} AS d${i}`), bucket, 'COUNT(*) AS n'].join(', ')} FROM calls c`,
    dims.joins,
    whereFragment(db.dialect, spec),
    `GROUP BY ${[...names, 'bucket'].join(', ')}`,
  );
  return (await db.all<Record<string, unknown>>(q.sql, q.params)).map((r) => ({ values: names.map((d) => String(r[d])), bucket: Number(r.bucket), n: Number(r.n) }));
}
