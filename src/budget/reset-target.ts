import type { NanoUsd } from '../lib/money.js';
import type { Store } from '../store/facade.js';
import type { BudgetPeriod, KeyBudget, KeyEventActor } from '../store/types.js';
import type { BudgetKind, BudgetRef, TagBudget } from './types.js';

/**
 * An admin budget reset's target and answer (BudgetService.reset, POST /admin/budgets/reset):
 * which budget a reset names, found among the budgets configured now, and what the reset
 * did, and its rows (`recordResetDone`). Clearing the spend is the service's.
 */

/** Which budget an admin reset targets. `tagValue`: a `per` instance (null = `(none)`); omitted = all instances. */
export interface ResetTarget {
  name: string;
  kind?: BudgetKind;
  tagValue?: string | null;
}

export interface ResetDone {
  ok: true;
  kind: BudgetKind;
  name: string;
  tagValue: string | null;
  /** Every instance of a `per` budget was reset. */
  allValues: boolean;
  period: BudgetPeriod;
  periodStart: number;
  resetAt: number;
  /**
   * Spend cleared, summed over the instances reset, nano-USD: with replicas on PostgreSQL,
   * as the shared rows held it (`clearedSpend`), so also spend made through other replicas.
   */
  clearedNano: NanoUsd;
}

export type ResetResult = ResetDone | { ok: false; reason: 'not_found' | 'ambiguous' };

/** A reset target found among the configured budgets. */
export interface FoundResetTarget {
  ok: true;
  kind: BudgetKind;
  /** The budget's period as configured now. */
  period: BudgetPeriod;
  /**
   * The instances reset: null for a budget of one instance (a key's, a tag budget without
   * `per`); for a `per` budget, one value, null for its `(none)` instance, or undefined for all.
   */
  tagValue: string | null | undefined;
  /** The same budget (instance) as the ledger names it. */
  ref: BudgetRef;
}

/**
 * Finds the budget `target` names among the key budgets and tag budgets configured now:
 * of `target.kind` when given, else of the one kind that has a budget of that name
 * (`ambiguous` when both have, `not_found` when neither has).
 */
export function findResetTarget(
  target: ResetTarget,
  keyDefs: ReadonlyMap<string, KeyBudget>,
  tagDefs: ReadonlyMap<string, TagBudget>,
): FoundResetTarget | { ok: false; reason: 'not_found' | 'ambiguous' } {
  const isKey = keyDefs.has(target.name);
  const isTag = tagDefs.has(target.name);
  const kind: BudgetKind | undefined = target.kind ?? (isKey && isTag ? undefined : isKey ? 'key' : isTag ? 'tag' : undefined);
  if (kind === undefined) return { ok: false, reason: isKey && isTag ? 'ambiguous' : 'not_found' };
  const period = kind === 'key' ? keyDefs.get(target.name)?.period : tagDefs.get(target.name)?.period;
  if (period === undefined) return { ok: false, reason: 'not_found' };
  // Key budgets and tag budgets without `per` have one instance (tag value null).
  const tagValue = kind === 'tag' && tagDefs.get(target.name)?.per !== undefined ? target.tagValue : null;
  const ref: BudgetRef = kind === 'key' ? { kind, name: target.name } : { kind, name: target.name, tagValue };
  return { ok: true, kind, period, tagValue, ref };
}

/** One instance of a reset budget as this replica had it just before the reset. */
export interface InstanceBefore {
  /** `sharedBudgetId(kind, name, tagValue)`. */
  id: string;
  /** Its counter's spend, nano-USD. */
  spentNano: NanoUsd;
  /** What this replica had settled and not yet sent to the shared row (0 without one), nano-USD. */
  unsentNano: NanoUsd;
}

/**
 * The spend a reset cleared, summed over its instances, nano-USD. Without shared rows
 * (`rows` undefined: SQLite), the counters' spend. With them (PostgreSQL: the spend each
 * row held when the reset cleared it, by budget id), per instance the larger of the row's
 * plus what this replica had not sent, and its counter's (which may know spend from the
 * call log the row was not told of yet); rows of instances this replica has no counter of
 * (their calls went through other replicas) count too. Spend other replicas had settled and
 * not written back (about a second of it at most) is cleared as well but not counted.
 */
export function clearedSpend(before: readonly InstanceBefore[], rows: ReadonlyMap<string, NanoUsd> | undefined): NanoUsd {
  if (rows === undefined) return before.reduce((sum, s) => sum + s.spentNano, 0);
  const known = new Map(before.map((s) => [s.id, s]));
  let sum = 0;
  for (const s of before) sum += Math.max(s.spentNano, (rows.get(s.id) ?? 0) + s.unsentNano);
  for (const [id, cleared] of rows) if (!known.has(id)) sum += cleared;
  return sum;
}

/**
 * Stores a reset done by `actor`, in one unit of work: its budget_resets row (so a restart
 * does not bring the cleared spend back) and its `keys history` row.
 */
export async function recordResetDone(store: Pick<Store, 'unitOfWork'>, done: ResetDone, actor: KeyEventActor): Promise<void> {
  const { kind, name, tagValue, allValues, period, periodStart, resetAt } = done;
  const details = { kind, tag_value: allValues ? '(all)' : tagValue, period, period_start: new Date(periodStart).toISOString(), cleared_nano: done.clearedNano };
  await store.unitOfWork(async (tx) => {
    await tx.budgets.recordReset({ kind, budget: name, tagValue, allValues, period, periodStart, resetAt, by: actor });
    await tx.history.append({ ts: resetAt, actor, action: 'budget_reset', keyName: name, details });
  });
}
