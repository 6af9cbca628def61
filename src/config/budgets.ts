import type { TagBudget } from '../budget/types.js';
import { usdToNano } from '../lib/money.js';
import type { KeyBudget } from '../store/types.js';
import type { KeyConfig, TagBudgetConfig } from './schema.js';

/** Config key budget (`keys.<name>.budget`, USD) → KeyBudget (nano-USD). */
export function keyBudgetFromConfig(budget: NonNullable<KeyConfig['budget']>): KeyBudget {
  return { limitNano: usdToNano(budget.limit_usd), period: budget.period, alertAt: [...budget.alert_at], soft: budget.soft };
}

/** Config tag budget (`budgets:` entry, USD) → TagBudget (nano-USD). */
export function tagBudgetFromConfig(b: TagBudgetConfig): TagBudget {
  const t: TagBudget = {
    name: b.name,
    match: { ...b.match },
    limitNano: usdToNano(b.limit_usd),
    period: b.period,
    alertAt: [...b.alert_at],
    soft: b.soft,
  };
  if (b.per !== undefined) t.per = b.per;
  return t;
}
