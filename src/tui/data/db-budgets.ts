import { periodWindow } from '../../budget/periods.js';
import type { BudgetState, TagBudget } from '../../budget/types.js';
import { effectiveKeys, type KeyDeclaration } from '../../keys/effective.js';
import type { BudgetStore, BudgetTarget, KeyBudget } from '../../store/types.js';
import type { Store } from '../../store/facade.js';
import type { BudgetGauge } from '../types.js';

/**
 * Budget gauges straight from the database, for a TUI that runs beside `serve` rather than
 * inside it: each budget's spend in its current period after resets, as the store defines
 * it for the proxy's ledger too (store periodSpend: settled cost of the calls that started
 * in the period, from the instance's latest reset on; unpriced calls add 0). Calls still
 * in flight are not in the database, so `reservedNano`, `inFlight` and `waiting` are always 0 here.
 *
 * Key budgets come from the active keys of the store merged with their config
 * declaration, as the proxy enforces them (keys/effective.ts); tag budgets come from the
 * config's `budgets:`.
 */

export interface BudgetDefs {
  keyBudgets: ReadonlyMap<string, KeyBudget>;
  tagBudgets: readonly TagBudget[];
}

/** Instances of one `per` tag budget kept at most, most spent first. */
export const MAX_INSTANCES_PER_BUDGET = 20;

/**
 * Budgets of the active stored keys, each merged with its config declaration. Keys only
 * declared in the config, without a stored secret, cannot make calls and have no gauge.
 */
export async function keyBudgetsFrom(store: Pick<Store, 'keys'>, declared: Readonly<Record<string, KeyDeclaration>>): Promise<Map<string, KeyBudget>> {
  const out = new Map<string, KeyBudget>();
  for (const key of effectiveKeys(await store.keys.list(), declared)) if (key.budget) out.set(key.name, key.budget);
  return out;
}

/** Every budget instance with its spend in the current period at `now`, and how many of its calls have a cost: key budgets, then tag budgets in config order. */
export async function budgetStates(budgets: Pick<BudgetStore, 'periodSpend'>, defs: BudgetDefs, now: number, timeZone: string): Promise<BudgetGauge[]> {
  const out: BudgetGauge[] = [];
  const instances = async (target: BudgetTarget, def: Pick<KeyBudget, 'limitNano' | 'period' | 'soft'>, per: string | null) => {
    const w = periodWindow(def.period, now, timeZone);
    const spent = await budgets.periodSpend(target, { period: def.period, start: w.start, end: w.end }, { top: MAX_INSTANCES_PER_BUDGET });
    for (const s of spent) out.push({ ...state(target.name, target.kind, per, s.tagValue, s.costNano, def, w.start, w.end), counts: { calls: s.calls, pricedCalls: s.pricedCalls } });
  };
  for (const [name, b] of defs.keyBudgets) await instances({ kind: 'key', name }, b, null);
  for (const t of defs.tagBudgets) await instances({ kind: 'tag', name: t.name, match: t.match, ...(t.per !== undefined ? { per: t.per } : {}) }, t, t.per ?? null);
  return out;
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
