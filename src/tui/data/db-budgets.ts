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
 * `reservedNano`, `inFlight` and `waiting` are always 0 here.
 *
 * Key budgets come from the active keys of the `keys` table (what `keys create --budget`,
 * `keys set` and the admin API wrote), with the config's `keys.<name>.budget` winning as
 * in the proxy; tag budgets come from the config's `budgets:`. An operator reset
 * (`budget_resets`, when the table exists) in the current period moves that instance's
 * start to the reset time.
 */

export interface BudgetDefs {
  keyBudgets: ReadonlyMap<string, KeyBudget>;
  tagBudgets: readonly TagBudget[];
}

/** Instances of one `per` tag budget kept at most, most spent first. */
export const MAX_INSTANCES_PER_BUDGET = 20;

/** Past every timestamp: the bound used for `total` periods. */
const FOREVER = Number.MAX_SAFE_INTEGER;

/**
 * Budgets of the active keys in the `keys` table, as the proxy resolves them: a budget
 * declared for the key in the config wins over the stored one (proxy/auth.ts). Keys only
 * declared in the config, without a stored secret, cannot make calls and have no gauge.
 */
export function keyBudgetsFrom(driver: SqlDriver, fromConfig: ReadonlyMap<string, KeyBudget>): Map<string, KeyBudget> {
  const out = new Map<string, KeyBudget>();
  const rows = driver.prepare('SELECT name, budget FROM keys WHERE revoked_at IS NULL ORDER BY id').all<{ name: string; budget: string | null }>();
  for (const r of rows) {
    const budget = fromConfig.get(r.name) ?? parseBudget(r.budget);
    if (budget) out.set(r.name, budget);
  }
  return out;
}

function parseBudget(json: string | null): KeyBudget | null {
  if (json === null) return null;
  try {
    return JSON.parse(json) as KeyBudget;
  } catch {
    return null;
  }
}

interface Reset {
  kind: string;
  budget: string;
  tagValue: string | null;
  /** Every instance of a `per` budget. */
  allValues: boolean;
  period: string;
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
    const start = effectiveStart(resets, { kind: 'key', budget: name, tagValue: null, period: b.period, periodStart: w.start });
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
      const start = effectiveStart(resets, { kind: 'tag', budget: t.name, tagValue, period: t.period, periodStart: w.start });
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
  // Like the ledger, a `per` budget has an instance only for tag values that spent something.
  const having = t.per !== undefined && !only ? 'HAVING COALESCE(SUM(c.cost_nano), 0) > 0' : '';
  return {
    sql: `SELECT ${v} AS v, COALESCE(SUM(c.cost_nano), 0) AS cost FROM calls c ${joins.join(' ')} WHERE ${where.join(' AND ')}
          GROUP BY 1 ${having} ORDER BY 2 DESC, 1 LIMIT ${MAX_INSTANCES_PER_BUDGET}`,
    params,
  };
}

function readResets(driver: SqlDriver): Reset[] {
  if (!hasTable(driver, 'budget_resets')) return [];
  return driver
    .prepare('SELECT * FROM budget_resets')
    .all<Record<string, unknown>>()
    .map((r) => ({
      kind: String(r.kind),
      budget: String(r.budget),
      tagValue: r.tag_value === null || r.tag_value === undefined ? null : String(r.tag_value),
      allValues: Number(r.all_values ?? 0) === 1,
      period: String(r.period ?? ''),
      periodStart: Number(r.period_start),
      resetAt: Number(r.reset_at),
    }));
}

/**
 * Where an instance's spend starts counting: the current period's start, or the latest
 * reset of that instance (or of all instances) made in this very period, as the ledger
 * replays resets when it is seeded (budget/seed.ts): calls from `reset_at` on count.
 */
function effectiveStart(resets: readonly Reset[], i: { kind: string; budget: string; tagValue: string | null; period: string; periodStart: number }): number {
  let start = i.periodStart;
  for (const r of resets) {
    if (r.kind !== i.kind || r.budget !== i.budget || r.periodStart !== i.periodStart || (r.period !== '' && r.period !== i.period)) continue;
    if (r.allValues || r.tagValue === i.tagValue) start = Math.max(start, r.resetAt);
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
    waiting: 0,
    limitNano: def.limitNano,
    period: def.period,
    periodStart,
    resetAt: Number.isFinite(periodEnd) ? periodEnd : null,
    soft: def.soft,
    blocked: !def.soft && spentNano >= def.limitNano,
  };
}
