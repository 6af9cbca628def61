import { boundMs } from '../budgets.js';
import type { Db } from '../db.js';
import { byteOrderSql, tagFilterSql, tagJoinSql } from './dialect.js';
import { prunedSpend } from './pruned-spend.js';
import { reachedSql } from '../reached.js';
import { readRollupState } from './report/state.js';
import type { BudgetPeriod, BudgetResetRecord, BudgetStore, BudgetTarget, InstanceCost, InstanceSpend, PeriodBounds, PeriodInstanceSpend, SqlValue, StoredBudgetKind } from '../types.js';

/**
 * Budget spend read from the call log: the one definition of "the current period's spend
 * after resets" (periodSpend, with the pure rule spendStart below), of a tag budget's
 * spend per instance (spend), and of the per (key, tag set) sums the ledger is seeded from.
 * The proxy's ledger (seeded at start), the TUI beside `serve` and the audit all read
 * budgets through here, so they agree on every number.
 *
 * A period that began before retention's cutoff (rawCallsSince: a `total` budget, in
 * practice) counts the raw calls from the cutoff on plus, before it, prunedSpend: the
 * same resets applied to the sums retention keeps (pruned-spend.ts; an upper bound where
 * those sums cannot be exact, so a cap never lifts).
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
  priced: number;
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

/**
 * `FROM calls c [JOIN the per tag as p] WHERE …` for the target's calls with `from <= ts < to`
 * (only the `only` instance when given), and its parameters.
 */
function targetCalls(db: Db, target: BudgetTarget, from: number, to: number, only?: { tagValue: string | null }): { sql: string; params: SqlValue[] } {
  const per = target.kind === 'tag' ? target.per : undefined;
  const params: SqlValue[] = [];
  let sql = 'FROM calls c';
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
  if (per !== undefined && only !== undefined) {
    sql += only.tagValue === null ? ' AND p.value IS NULL' : ' AND p.value = ?';
    if (only.tagValue !== null) params.push(only.tagValue);
  }
  return { sql, params };
}

/** Sums the target's calls with `from <= ts < to`, per instance (one row without `per`). */
async function sumSpend(db: Db, target: BudgetTarget, from: number, to: number, q: SpendQuery = {}): Promise<InstanceSpend[]> {
  const per = target.kind === 'tag' ? target.per : undefined;
  const scope = targetCalls(db, target, from, to, q.only);
  const params: SqlValue[] = [...scope.params];
  // calls: those that reached the provider (reached.ts), as reports count them; a call the
  // budget refused spent nothing and is not one of the calls that spent it. priced: of those,
  // the ones with a cost (cost_nano NULL: unpriced or usage unknown).
  let sql = `SELECT ${per !== undefined ? 'p.value' : 'NULL'} AS tag_value, COUNT(CASE WHEN ${reachedSql('c')} THEN 1 END) AS calls, COUNT(CASE WHEN ${reachedSql('c')} THEN c.cost_nano END) AS priced, COALESCE(SUM(c.cost_nano), 0) AS cost,
    SUM(c.input_tokens) AS input_tokens, SUM(c.output_tokens) AS output_tokens ${scope.sql}`;
  if (per !== undefined) sql += ' GROUP BY p.value';
  if (per !== undefined && q.spentOnly !== undefined) {
    sql += ` HAVING COALESCE(SUM(c.cost_nano), 0) > 0 ORDER BY cost DESC, ${byteOrderSql(db.dialect, 'p.value')}`;
    if (q.spentOnly.top !== undefined) {
      sql += ' LIMIT ?';
      params.push(q.spentOnly.top);
    }
  }
  const rows = await db.all<SpendRow>(sql, params);
  return rows.map((r) => ({
    tagValue: r.tag_value,
    calls: Number(r.calls),
    pricedCalls: Number(r.priced),
    costNano: Number(r.cost),
    inputTokens: Number(r.input_tokens ?? 0),
    outputTokens: Number(r.output_tokens ?? 0),
  }));
}

const idle = (tagValue: string | null): InstanceSpend => ({ tagValue, calls: 0, pricedCalls: 0, costNano: 0, inputTokens: 0, outputTokens: 0 });

/** rollup_state.raw_since: raw calls are complete from it on (ms; 0 when never pruned, or before schema v3). */
async function rawCallsSince(db: Db): Promise<number> {
  return (await readRollupState(db))?.rawSince ?? 0;
}

/**
 * The spend of the period `budget` of `target` before `until` (≤ raw_since), after the
 * period's resets `inPeriod`, per instance (pruned-spend.ts reads each range): every
 * instance from the period start or the latest reset of all instances, and again from its
 * own latest reset one that has a later one (spendStart, as for raw calls).
 */
async function prunedAfterResets(db: Db, target: BudgetTarget, budget: BudgetPeriodRef, inPeriod: readonly BudgetResetRecord[], until: number): Promise<InstanceCost[]> {
  const perValue = target.kind === 'tag' && target.per !== undefined;
  const base = spendStart(perValue ? inPeriod.filter((r) => r.allValues) : inPeriod, budget, null);
  if (!(base < until)) return [];
  const out: InstanceCost[] = [];
  for (const inst of await prunedSpend(db, target, base, until)) {
    const start = perValue ? spendStart(inPeriod, budget, inst.tagValue) : base;
    if (start === base) out.push(inst);
    else out.push(...(await prunedSpend(db, target, start, until, { tagValue: inst.tagValue })));
  }
  return out;
}

/** The spend reads of BudgetStore over `db`; `resets` is the store's reset list (store/budgets.ts). */
export function budgetSpend(db: Db, resets: BudgetStore['resets']): Pick<BudgetStore, 'spendGroups' | 'spend' | 'periodSpend' | 'rawCallsSince' | 'prunedSpend' | 'capReachedAt'> {
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
      const rawSince = await rawCallsSince(db);
      const pruned = new Map((await prunedAfterResets(db, target, ref, inPeriod, rawSince)).map((p) => [p.tagValue, p.costNano]));
      // Raw calls count from where they are complete; the sums retention keeps count before.
      const from = (start: number) => Math.max(start, rawSince);
      const counted = (s: InstanceSpend, countsFrom: number): PeriodInstanceSpend => ({ ...s, costNano: s.costNano + (pruned.get(s.tagValue) ?? 0), countsFrom });
      if (target.kind === 'key' || target.per === undefined) {
        const countsFrom = spendStart(inPeriod, ref, null);
        const [whole] = await sumSpend(db, target, from(countsFrom), bounds.end);
        return [counted(whole === undefined ? idle(null) : { ...whole, tagValue: null }, countsFrom)];
      }
      // SQL ranks by the spend since the period start: only without resets or pruned sums is that the order after them.
      const top = pruned.size === 0 && inPeriod.length === 0 ? options.top : undefined;
      const instances = await sumSpend(db, target, from(bounds.start), bounds.end, { spentOnly: { ...(top !== undefined ? { top } : {}) } });
      const out: PeriodInstanceSpend[] = [];
      for (const inst of instances) {
        const countsFrom = spendStart(inPeriod, ref, inst.tagValue);
        const start = from(countsFrom);
        if (start === from(bounds.start)) out.push(counted(inst, countsFrom));
        else out.push(counted((await sumSpend(db, target, start, bounds.end, { only: { tagValue: inst.tagValue } }))[0] ?? idle(inst.tagValue), countsFrom));
        pruned.delete(inst.tagValue);
      }
      for (const [tagValue, costNano] of pruned) out.push({ ...idle(tagValue), costNano, countsFrom: spendStart(inPeriod, ref, tagValue) });
      out.sort((a, b) => b.costNano - a.costNano);
      return options.top === undefined ? out : out.slice(0, options.top);
    },

    rawCallsSince: () => rawCallsSince(db),

    async capReachedAt(target, tagValue, from, to, limitNano) {
      // Calls before raw_since survive only as sums: the running spend cannot be told from them.
      if (from < (await rawCallsSince(db))) return null;
      const scope = targetCalls(db, target, from, to, target.kind === 'tag' && target.per !== undefined ? { tagValue } : undefined);
      const row = await db.get<{ ts: number }>(
        `SELECT ts FROM (SELECT c.ts AS ts, SUM(COALESCE(c.cost_nano, 0)) OVER (ORDER BY c.ts, c.id ROWS UNBOUNDED PRECEDING) AS spent ${scope.sql}) x
         WHERE x.spent >= ? ORDER BY x.ts LIMIT 1`,
        [...scope.params, limitNano],
      );
      return row === undefined ? null : Number(row.ts);
    },

    async prunedSpend(target, bounds, until) {
      const ref: BudgetPeriodRef = { kind: target.kind, name: target.name, period: bounds.period, periodStart: bounds.start };
      const inPeriod = (await resets(bounds.start)).filter((r) => resetInPeriod(r, ref));
      return prunedAfterResets(db, target, ref, inPeriod, until);
    },
  };
}
