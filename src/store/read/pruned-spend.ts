import type { Db } from '../db.js';
import { ENTITY_KEYS } from '../rollup-policy.js';
import type { BudgetTarget, InstanceCost } from '../types.js';
import { entityCost, rollupCost, type CostByValue, type RollupRows } from './pruned-sums.js';
import { readRollupState } from './report/state.js';
import type { RollupState } from './report/types.js';

/**
 * A budget's spend in a range raw calls no longer cover (`from <= ts < until`, until ≤
 * rollup_state.raw_since), per instance, from the sums retention keeps (pruned-sums.ts):
 * what lets a `total` budget outlive `retention_days` (budget/seed.ts).
 *
 * Invariant: never less than the instance's calls in the range spent (a cap must not
 * lift), in integer nano-USD. Exact where the rows hold the very set of calls:
 * - key budgets: the key's all-calls rollup rows;
 * - tag budgets without `per`: every call, or one `match` pair of a rolled-up tag key;
 * - `per` a rolled-up tag key: each value's rows, and all calls less those for `(none)`,
 *   with an empty `match`;
 * - `per` an entity key (user_id, session_id): each value's entity rows, overall or in
 *   the segment of the one `match` pair (user_tier, tenant_id), and for `(none)` the rollup
 *   rows of calls without that entity key (in the rolled-up `match` pair, if one).
 * Otherwise rollups hold no combination of tags: each condition gives a sum over a
 * superset of the instance's calls, and the least of them is taken (an upper bound).
 * The grain is an hour (rollups) or a UTC month (entity rows): a `from` inside one counts
 * that hour's or month's earlier calls too (pruned-sums.ts). An admin reset in the
 * pruned range therefore counts at most that hour (or month) of spend before it again.
 *
 * Not read (the caller keeps 0): a `per` key that is neither rolled up nor an entity key
 * (a request-scoped id, a key demoted for its number of values), whose instances no kept
 * row tells apart; and entity values in months before entity rows are complete
 * (entity_since: a database pruned before schema v4).
 */

/** The rollup and entity sums of one range, by the condition a budget puts on its calls. */
class Sums {
  constructor(
    private readonly db: Db,
    private readonly state: RollupState,
    private readonly from: number,
    private readonly until: number,
  ) {}

  /** Σ cost of the rollup rows (over every value they have). */
  async rollup(rows: RollupRows): Promise<number> {
    return total(await rollupCost(this.db, rows, this.from, this.until));
  }

  /**
   * Upper bounds of the spend of calls matching every `match` pair (restricted to calls that
   * carry or lack an entity key, when given): all calls, and one per pair the rows answer.
   */
  async bounds(match: Readonly<Record<string, string>>, entity?: RollupRows['entity']): Promise<number> {
    let least = await this.rollup(entity === undefined ? {} : { entity });
    for (const [key, value] of Object.entries(match)) {
      let bound: number | undefined;
      if (entityKey(key) !== undefined) {
        const rows = await entityCost(this.db, { key, segment: null, value }, this.from, this.until, this.state.entitySince);
        if (rows !== undefined) bound = total(rows);
      } else if (this.state.rolledUp(key)) bound = await this.rollup({ tag: { key, value }, ...(entity === undefined ? {} : { entity }) });
      if (bound !== undefined) least = Math.min(least, bound);
    }
    return least;
  }
}

/**
 * The pruned spend of `target`'s instances in [from, until) that spent something, as
 * bounded above; `only` reads one instance (tagValue null: the `(none)` or shared one).
 * Empty before schema v3 (no rollups) and when nothing is read (see above).
 */
export async function prunedSpend(db: Db, target: BudgetTarget, from: number, until: number, only?: { tagValue: string | null }): Promise<InstanceCost[]> {
  if (!(until > from)) return [];
  return db.snapshot(async (tx) => {
    const state = await readRollupState(tx);
    if (state === undefined) return [];
    const sums = new Sums(tx, state, from, until);
    if (target.kind === 'key') return spent([[null, await sums.rollup({ keyName: target.name })]]);
    const { match, per } = target;
    if (per === undefined) return spent([[null, await sums.bounds(match)]]);
    const entity = entityKey(per);
    if (entity === undefined && !state.rolledUp(per)) return [];
    const wanted = (v: string | null) => (only === undefined || only.tagValue === v) && (match[per] === undefined || match[per] === v);
    const out: Array<[string | null, number]> = [];
    if (entity !== undefined) {
      if (wanted(null)) out.push([null, await sums.bounds(match, { bit: entity.bit, carried: false })]);
      if (only?.tagValue === null) return spent(out);
      const segKey = entity.segments.find((s) => match[s] !== undefined);
      const segment = segKey === undefined ? null : { key: segKey, value: match[segKey]! };
      const values = await entityCost(tx, { key: per, segment, ...(only === undefined ? {} : { value: only.tagValue }) }, from, until, state.entitySince);
      const bound = await sums.bounds(match, { bit: entity.bit, carried: true });
      for (const [v, cost] of values ?? []) if (wanted(v)) out.push([v, Math.min(cost, bound)]);
      return spent(out);
    }
    const values = await rollupCost(tx, { tag: { key: per } }, from, until);
    const bound = await sums.bounds(match);
    // Every call carries at most one value of `per`: the calls lacking it are all calls less those.
    if (wanted(null)) out.push([null, Math.min(bound, (await sums.rollup({})) - total(values))]);
    for (const [v, cost] of values) if (wanted(v)) out.push([v, Math.min(cost, bound)]);
    return spent(out);
  });
}

function entityKey(key: string): (typeof ENTITY_KEYS)[number] | undefined {
  return ENTITY_KEYS.find((e) => e.key === key);
}

function total(costs: CostByValue): number {
  let sum = 0;
  for (const c of costs.values()) sum += c;
  return sum;
}

function spent(entries: ReadonlyArray<[string | null, number]>): InstanceCost[] {
  return entries.filter(([, cost]) => cost > 0).map(([tagValue, costNano]) => ({ tagValue, costNano }));
}
