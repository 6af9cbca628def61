import { boundMs } from '../budgets.js';
import type { Db } from '../db.js';
import { tagFilterSql, tagJoinSql } from './dialect.js';
import type { BudgetPeriod, BudgetResetRecord, BudgetStore, BudgetTarget, InstanceSpend, PeriodBounds, SqlValue, StoredBudgetKind } from '../types.js';

/**
 * Budget spend read from the call log: the one definition of "the current period's spend
 * after resets" (periodSpend, with the pure rule spendStart below), of a tag budget's
 * spend per instance (spend), and of the per (key, tag set) sums the ledger is seeded from.
 * The proxy's ledger (seeded at start), the TUI beside `serve` and the audit all read
 * budgets through here, so they agree on every number.
 */

/** One period of one budget: what a stored reset is matched against. */
export interface BudgetPeriodRef {
  kind: StoredBudgetKind;
  name: string;
  period: BudgetPeriod;
  /** Start of the period, ms. */
  periodStart: number;
}

/** True when `reset` cleared spend of this very period of this budget (some instance of it, or all). */
export function resetInPeriod(reset: BudgetResetRecord, budget: BudgetPeriodRef): boolean {
  return reset.kind === budget.kind && reset.budget === budget.name && reset.period === budget.period && reset.periodStart === budget.periodStart;
}

/**
 * Where an instance's spend starts counting: the period start, or the latest reset of
 * that instance (or of every instance) made in this period. A call stamped with the very
 * ms of a reset counts after it (the safe side for a cap), as when the ledger replays
 * resets at start (budget/seed.ts).
 */
export function spendStart(resets: readonly BudgetResetRecord[], budget: BudgetPeriodRef, tagValue: string | null): number {
  let start = budget.periodStart;
  for (const r of resets) {
    if (resetInPeriod(r, budget) && (r.allValues || r.tagValue === tagValue)) start = Math.max(start, r.resetAt);
  }
  return start;
}

interface SpendRow {
  tag_value: string | null;
  calls: number;
  cost: number;
  input_tokens: number | null;
  output_tokens: number | null;
}

interface SpendQuery {
  /** Only this `per` value (null = calls lacking the tag). */
  only?: { tagValue: string | null };
  /** Only instances that spent something, most spent first, at most `top`. */
  spentOnly?: { top?: number };
}

/** Sums the target's calls with `from <= ts < to`, per instance (one row without `per`). */
async function sumSpend(db: Db, target: BudgetTarget, from: number, to: number, q: SpendQuery = {}): Promise<InstanceSpend[]> {
  const per = target.kind === 'tag' ? target.per : undefined;
  const params: SqlValue[] = [];
  let sql = `SELECT ${per !== undefined ? 'p.value' : 'NULL'} AS tag_value, COUNT(*) AS calls, COALESCE(SUM(c.cost_nano), 0) AS cost,
    SUM(c.input_tokens) AS input_tokens, SUM(c.output_tokens) AS output_tokens FROM calls c`;
  if (per !== undefined) {
    const join = tagJoinSql(db.dialect, 'p', per);
    sql += ` ${join.sql}`;
    params.push(...join.params);
  }
  sql += ' WHERE c.ts >= ? AND c.ts < ?';
  params.push(boundMs(from), boundMs(to));
  if (target.kind === 'key') {
    sql += ' AND c.key_name = ?';
    params.push(target.name);
  } else {
    for (const [k, v] of Object.entries(target.match)) {
      const filter = tagFilterSql(db.dialect, k, '=', v);
      sql += ` AND ${filter.sql}`;
      params.push(...filter.params);
    }
  }
  if (per !== undefined && q.only !== undefined) {
    sql += q.only.tagValue === null ? ' AND p.value IS NULL' : ' AND p.value = ?';
    if (q.only.tagValue !== null) params.push(q.only.tagValue);
  }
  if (per !== undefined) sql += ' GROUP BY p.value';
  if (per !== undefined && q.spentOnly !== undefined) {
    sql += ' HAVING COALESCE(SUM(c.cost_nano), 0) > 0 ORDER BY cost DESC, tag_value';
    if (q.spentOnly.top !== undefined) {
      sql += ' LIMIT ?';
      params.push(q.spentOnly.top);
    }
  }
  const rows = await db.all<SpendRow>(sql, params);
  return rows.map((r) => ({
    tagValue: r.tag_value,
    calls: Number(r.calls),
    costNano: Number(r.cost),
    inputTokens: Number(r.input_tokens ?? 0),
    outputTokens: Number(r.output_tokens ?? 0),
  }));
}

const idle = (tagValue: string | null): InstanceSpend => ({ tagValue, calls: 0, costNano: 0, inputTokens: 0, outputTokens: 0 });

/** The spend reads of BudgetStore over `db`; `resets` is the store's reset list (store/budgets.ts). */
export function budgetSpend(db: Db, resets: BudgetStore['resets']): Pick<BudgetStore, 'spendGroups' | 'spend' | 'periodSpend'> {
  return {
    async spendGroups(since, until) {
      const rows = await db.all<{ key_name: string | null; tags: string; ts: number; cost: number }>(
        `SELECT key_name, tags, MIN(ts) AS ts, SUM(cost_nano) AS cost FROM calls
         WHERE ts >= ? AND ts < ? AND cost_nano > 0 GROUP BY key_name, tags`,
        [boundMs(since), boundMs(until)],
      );
      return rows.map((r) => ({ keyName: r.key_name, tags: JSON.parse(r.tags) as Record<string, string>, ts: Number(r.ts), costNano: Number(r.cost) }));
    },

    async spend(target, from, to) {
      return (await sumSpend(db, target, from, to)).filter((s) => s.calls > 0);
    },

    async periodSpend(target, bounds: PeriodBounds, options = {}) {
      const ref: BudgetPeriodRef = { kind: target.kind, name: target.name, period: bounds.period, periodStart: bounds.start };
      const inPeriod = (await resets(bounds.start)).filter((r) => resetInPeriod(r, ref));
      if (target.kind === 'key' || target.per === undefined) {
        const [whole] = await sumSpend(db, target, spendStart(inPeriod, ref, null), bounds.end);
        return [whole === undefined ? idle(null) : { ...whole, tagValue: null }];
      }
      const instances = await sumSpend(db, target, bounds.start, bounds.end, { spentOnly: { ...(options.top !== undefined ? { top: options.top } : {}) } });
      const out: InstanceSpend[] = [];
      for (const inst of instances) {
        const start = spendStart(inPeriod, ref, inst.tagValue);
        if (start === bounds.start) out.push(inst);
        else out.push((await sumSpend(db, target, start, bounds.end, { only: { tagValue: inst.tagValue } }))[0] ?? idle(inst.tagValue));
      }
      return out.sort((a, b) => b.costNano - a.costNano);
    },
  };
}
