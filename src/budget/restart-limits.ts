import type { BudgetLimitRecord, BudgetStore, KeyBudget } from '../store/types.js';
import type { BudgetLedger } from './ledger.js';
import type { BudgetKind, TagBudget } from './types.js';
import { errorMessage } from '../lib/errors.js';

/** `["kind","name"]`: one budget, unambiguous whatever its name holds. */
const budgetKey = (kind: BudgetKind, name: string) => JSON.stringify([kind, name]);

const sameThresholds = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((t, i) => t === b[i]);

/**
 * The budgets a restarted serve seeds its ledger with, and which of them it changes right
 * after (BudgetService.create).
 *
 * Rule (a limit lowered while serve was stopped alerts as one lowered while it runs):
 * a budget serve ran before (a budget_limits row, store/budget-limits.ts) with the same
 * period, thresholds and `per`, and a higher limit, is seeded at that previous limit, so
 * the thresholds the stored spend had reached under it count as fired, exactly as the
 * previous run left them; the current limit is then applied (counter.ts `apply` and the
 * ledger's `addSpend(0)`), which fires each threshold the lower limit newly puts behind
 * the spend. The alert book still holds back one already sent in this period under the
 * current limit, so a further restart sends nothing again.
 *
 * Every budget with such a row (`carried`) also replays the reprices made while serve was
 * stopped (restart-reprices.ts). Every other budget is seeded at its current definition,
 * its thresholds already reached marked fired without an alert (ledger.ts
 * `seedFromCalls`): a budget serve never ran
 * (no row: new, or first start since the table exists), one whose period, thresholds or
 * `per` changed (as a reload treats those: no burst of stale alerts), and one whose limit
 * is unchanged (its alerts were sent when its spend crossed them) or raised.
 */
export interface SeedDefs {
  /** Key budgets by key name, each lowered one at its previous limit. */
  keys: Map<string, KeyBudget>;
  /** The tag budgets in config order, each lowered one at its previous limit. */
  tags: TagBudget[];
  /** Names of the key budgets seeded at a previous, higher limit. */
  loweredKeys: string[];
  /** How many tag budgets were seeded at a previous, higher limit. */
  loweredTags: number;
  /**
   * The budgets serve ran before with the same period, thresholds and `per` (`budgetKey`):
   * their alerts carry over a restart, so a reprice made while serve was stopped alerts for
   * them (restart-reprices.ts); every other budget starts silent.
   */
  carried: Set<string>;
}

/** Whether a budget of `kind` and `name` is one of `seeded.carried`. */
export const isCarried = (seeded: Pick<SeedDefs, 'carried'>, b: { kind: BudgetKind; name: string }): boolean => seeded.carried.has(budgetKey(b.kind, b.name));

/** The limit to seed a budget at (nano-USD): the previous one when it was higher and the budget is carried over, else the current one; undefined when it is not carried over. */
function seedLimit(known: ReadonlyMap<string, BudgetLimitRecord>, kind: BudgetKind, name: string, per: string | null, def: Pick<KeyBudget, 'limitNano' | 'period' | 'alertAt'>): number | undefined {
  const prev = known.get(budgetKey(kind, name));
  if (prev === undefined || prev.period !== def.period || prev.per !== per || !sameThresholds(prev.alertAt, def.alertAt)) return undefined;
  return Math.max(prev.limitNano, def.limitNano);
}

/** SeedDefs (see its rule) for the current `keys` and `tags`, given the rows serve left (`known`). */
export function seedDefs(keys: ReadonlyMap<string, KeyBudget>, tags: readonly TagBudget[], known: readonly BudgetLimitRecord[]): SeedDefs {
  const byBudget = new Map(known.map((r) => [budgetKey(r.kind, r.budget), r]));
  const out: SeedDefs = { keys: new Map(), tags: [], loweredKeys: [], loweredTags: 0, carried: new Set() };
  const seedAt = (kind: BudgetKind, name: string, per: string | null, def: Pick<KeyBudget, 'limitNano' | 'period' | 'alertAt'>) => {
    const limitNano = seedLimit(byBudget, kind, name, per, def);
    if (limitNano === undefined) return def.limitNano;
    out.carried.add(budgetKey(kind, name));
    return limitNano;
  };
  for (const [name, budget] of keys) {
    const limitNano = seedAt('key', name, null, budget);
    out.keys.set(name, limitNano === budget.limitNano ? budget : { ...budget, limitNano });
    if (limitNano !== budget.limitNano) out.loweredKeys.push(name);
  }
  for (const tag of tags) {
    const limitNano = seedAt('tag', tag.name, tag.per ?? null, tag);
    out.tags.push(limitNano === tag.limitNano ? tag : { ...tag, limitNano });
    if (limitNano !== tag.limitNano) out.loweredTags++;
  }
  return out;
}

/**
 * After the seed and the alert book's load: the budgets seeded at a previous limit take
 * their current definition (`keys`, `tags`), which fires through the ledger's `onCross`
 * each threshold the lower limit newly puts behind the spend.
 */
export function applyLoweredLimits(ledger: Pick<BudgetLedger, 'setKeyBudget' | 'setTagBudgets'>, seeded: SeedDefs, keys: ReadonlyMap<string, KeyBudget>, tags: readonly TagBudget[]): void {
  for (const name of seeded.loweredKeys) ledger.setKeyBudget(name, keys.get(name)!);
  if (seeded.loweredTags > 0) ledger.setTagBudgets(tags);
}

/** budget_limits rows to write, and those to delete (budgets serve no longer has). */
export interface LimitRows {
  records: BudgetLimitRecord[];
  forget: Array<Pick<BudgetLimitRecord, 'kind' | 'budget'>>;
}

const keyRecord = (name: string, b: KeyBudget, at: number): BudgetLimitRecord => ({ kind: 'key', budget: name, per: null, limitNano: b.limitNano, period: b.period, alertAt: [...b.alertAt], seenAt: at });

/** The rows of every budget as it runs now (`at` ms), and the rows (`known`) of budgets it no longer has. */
export function limitRows(keys: ReadonlyMap<string, KeyBudget>, tags: readonly TagBudget[], known: readonly BudgetLimitRecord[], at: number): LimitRows {
  const records = [...keys].map(([name, b]) => keyRecord(name, b, at));
  for (const t of tags) records.push({ kind: 'tag', budget: t.name, per: t.per ?? null, limitNano: t.limitNano, period: t.period, alertAt: [...t.alertAt], seenAt: at });
  const current = new Set(records.map((r) => budgetKey(r.kind, r.budget)));
  return { records, forget: known.filter((r) => !current.has(budgetKey(r.kind, r.budget))) };
}

/** The rows a key sync changes (`at` ms): the key budgets of `after` that are not in `before` (by identity: new or changed), and those `after` no longer has. */
export function keyLimitChanges(before: ReadonlyMap<string, KeyBudget>, after: ReadonlyMap<string, KeyBudget>, at: number): LimitRows {
  const records = [...after].filter(([name, b]) => before.get(name) !== b).map(([name, b]) => keyRecord(name, b, at));
  const forget = [...before.keys()].filter((name) => !after.has(name)).map((name) => ({ kind: 'key' as const, budget: name }));
  return { records, forget };
}

/** Writes `rows`; a failure is logged, never thrown (a later restart then compares with the older rows). */
export async function storeLimits(store: Pick<BudgetStore, 'recordBudgetLimits'>, rows: LimitRows, log: (line: string) => void): Promise<void> {
  try {
    await store.recordBudgetLimits(rows.records, rows.forget);
  } catch (error) {
    log(`could not store the budget limits: ${errorMessage(error)}`);
  }
}
