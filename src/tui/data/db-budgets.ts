import { periodWindow } from '../../budget/periods.js';
import type { BudgetState, TagBudget } from '../../budget/types.js';
import type { Fragment } from '../../report/sql-scope.js';
import type { KeyBudget, SqlDriver, SqlValue } from '../../store/types.js';
import { hasTable } from './db-feed.js';

/**
 * Budget gauges straight from the database, for a TUI that runs beside `serve` rather than
 * inside it: each budget's spend in its current period, recomputed from the stored calls
 * the way the ledger seeds itself at start (settled cost of calls that started in the
 * period; unpriced calls add 0). Calls still in flight are not in the database, so
 * `reservedNano` and `inFlight` are always 0 here.
 *
 * Key budgets come from the `keys` table (what `keys create --budget`, `keys set` and the
 * admin API wrote), falling back to the config's `keys.<name>.budget`; tag budgets come
 * from the config's `budgets:`. An operator reset (`budget_resets`, when the table exists)
 * in the current period moves that instance's start to the reset time.
 */

export interface BudgetDefs {
  keyBudgets: ReadonlyMap<string, KeyBudget>;
  tagBudgets: readonly TagBudget[];
}

/** Instances of one `per` tag budget kept at most, most spent first. */
export const MAX_INSTANCES_PER_BUDGET = 20;

/** Past every timestamp: the bound used for `total` periods. */
const FOREVER = Number.MAX_SAFE_INTEGER;

/** Budgets of active keys in the `keys` table, over the config's key budgets of the same name. */
export function keyBudgetsFrom(driver: SqlDriver, fromConfig: ReadonlyMap<string, KeyBudget>): Map<string, KeyBudget> {
  const merged = new Map(fromConfig);
  const rows = driver.prepare('SELECT name, budget FROM keys WHERE revoked_at IS NULL AND budget IS NOT NULL').all<{ name: string; budget: string }>();
  for (const r of rows) {
    try {
      merged.set(r.name, JSON.parse(r.budget) as KeyBudget);
    } catch {
      // A budget column that is not JSON is not a budget; the gate ignores it too.
    }
  }
  return merged;
}

interface Reset {
  kind: string;
  budget: string;
  tagValue: string | null;
  periodStart: number;
  resetAt: number;
}

/** Every budget instance with its spend in the current period at `now`: key budgets, then tag budgets in config order. */
export function budgetStates(driver: SqlDriver, defs: BudgetDefs, now: number, timeZone: string): BudgetState[] {
  const resets = readResets(driver);
  const sum = (f: Fragment): Array<{ v: string | null; cost: number }> =>
    driver.prepare(f.sql).all<{ v: string | null; cost: number }>(...f.params);
  const out: BudgetState[] = [];

  for (const [name, b] of defs.keyBudgets) {
    const w = periodWindow(b.period, now, timeZone);
    const start = effectiveStart(resets, 'key', name, null, w.start);
    const rows = sum({
      sql: 'SELECT NULL AS v, COALESCE(SUM(cost_nano), 0) AS cost FROM calls WHERE key_name = ? AND ts >= ? AND ts < ?',
      params: [name, start, bound(w.end)],
    });
    out.push(state(name, 'key', null, null, Number(rows[0]?.cost ?? 0), b, w.start, w.end));
  }

  for (const t of defs.tagBudgets) {
    const w = periodWindow(t.period, now, timeZone);
    const instances = sum(tagSpendQuery(t, w.start, bound(w.end)));
    if (t.per === undefined && instances.length === 0) instances.push({ v: null, cost: 0 });
    for (const inst of instances) {
      const tagValue = t.per === undefined ? null : inst.v;
      let cost = Number(inst.cost);
      const start = effectiveStart(resets, 'tag', t.name, tagValue, w.start);
      if (start !== w.start) cost = Number(sum(tagSpendQuery(t, start, bound(w.end), { value: tagValue }))[0]?.cost ?? 0);
      out.push(state(t.name, 'tag', t.per ?? null, tagValue, cost, t, w.start, w.end));
    }
  }
  return out;
}

/**
 * Spend of one tag budget's instances in [since, until): calls whose tags match every
 * `match` pair, grouped by the `per` tag's value (NULL = the call lacks it). With
 * `only`, just that instance.
 */
function tagSpendQuery(t: TagBudget, since: number, until: number, only?: { value: string | null }): Fragment {
  const params: SqlValue[] = [];
  const joins: string[] = [];
  if (t.per !== undefined) {
    joins.push('LEFT JOIN call_tags p ON p.call_id = c.id AND p.key = ?');
    params.push(t.per);
  }
  const where = ['c.ts >= ?', 'c.ts < ?'];
  params.push(since, until);
  for (const [k, v] of Object.entries(t.match)) {
    where.push('c.id IN (SELECT call_id FROM call_tags WHERE key = ? AND value = ?)');
    params.push(k, v);
  }
  if (only && t.per !== undefined) {
    where.push(only.value === null ? 'p.value IS NULL' : 'p.value = ?');
    if (only.value !== null) params.push(only.value);
  }
  const v = t.per === undefined ? 'NULL' : 'p.value';
  return {
    sql: `SELECT ${v} AS v, COALESCE(SUM(c.cost_nano), 0) AS cost FROM calls c ${joins.join(' ')} WHERE ${where.join(' AND ')}
          GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${MAX_INSTANCES_PER_BUDGET}`,
    params,
  };
}

function readResets(driver: SqlDriver): Reset[] {
  if (!hasTable(driver, 'budget_resets')) return [];
  return driver
    .prepare('SELECT kind, budget, tag_value, period_start, MAX(reset_at) AS reset_at FROM budget_resets GROUP BY kind, budget, tag_value, period_start')
    .all<{ kind: string; budget: string; tag_value: string | null; period_start: number; reset_at: number }>()
    .map((r) => ({ kind: r.kind, budget: r.budget, tagValue: r.tag_value, periodStart: Number(r.period_start), resetAt: Number(r.reset_at) }));
}

/** The period start, or the latest reset of this instance inside the current period. */
function effectiveStart(resets: readonly Reset[], kind: string, budget: string, tagValue: string | null, periodStart: number): number {
  let start = periodStart;
  for (const r of resets) {
    if (r.kind === kind && r.budget === budget && r.tagValue === tagValue && r.periodStart === periodStart) start = Math.max(start, r.resetAt);
  }
  return start;
}

function bound(end: number): number {
  return Number.isFinite(end) ? end : FOREVER;
}

function state(
  name: string,
  kind: 'key' | 'tag',
  per: string | null,
  tagValue: string | null,
  spentNano: number,
  def: Pick<KeyBudget, 'limitNano' | 'period' | 'soft'>,
  periodStart: number,
  periodEnd: number,
): BudgetState {
  return {
    name,
    kind,
    tagValue,
    per,
    spentNano,
    reservedNano: 0,
    inFlight: 0,
    limitNano: def.limitNano,
    period: def.period,
    periodStart,
    resetAt: Number.isFinite(periodEnd) ? periodEnd : null,
    soft: def.soft,
    blocked: !def.soft && spentNano >= def.limitNano,
  };
}
