import { describe, expect, it } from 'vitest';
import { budgetExceededError } from '../../src/budget/errors.js';
import { EstimatePrices } from '../../src/budget/estimate-prices.js';
import { LedgerGate } from '../../src/budget/gate.js';
import { BudgetLedger } from '../../src/budget/ledger.js';
import type { BlockInfo } from '../../src/budget/types.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { USD, gateRequest, keyBudget, now } from './helpers.js';

/**
 * A budget_exceeded message says how the operator raises the cap, after SPEC §5's start: a
 * stored key budget with `tokometer keys set NAME --budget USD`; a key budget the config
 * declares (it overrides the stored one, so keys set would change nothing enforced) and a tag
 * budget in the config, which serve reads when it starts. A new-user trial's 429 gave the
 * reset time only.
 */
const START = "Budget 'summarizer' exhausted: $500.00 of $500.00 used this month; resets 2026-12-01T00:00:00Z";
const block: BlockInfo = {
  name: 'summarizer', kind: 'key', per: null, tagValue: null, limitNano: 500 * USD, spentNano: 500 * USD, reservedNano: 0,
  estimateNano: 1_000_000, period: 'month', resetAt: Date.parse('2026-12-01T00:00:00Z'), reason: 'exhausted', at: Date.parse('2026-11-20T12:00:00Z'),
};

describe('budget_exceeded says how to raise the cap', () => {
  it('a stored key budget: tokometer keys set NAME --budget USD', () => {
    expect(budgetExceededError(block).message).toBe(`${START}; raise it with \`tokometer keys set summarizer --budget USD\``);
  });

  it('a key budget from the config: its limit_usd there, as keys set would not override it', () => {
    expect(budgetExceededError({ ...block, fromConfig: true }).message).toBe(`${START}; raise keys.summarizer.budget.limit_usd in the config and restart serve`);
  });

  it('a tag budget: the limit_usd of its budgets: entry (every per instance shares it)', () => {
    const tag: BlockInfo = { ...block, name: 'free-daily', kind: 'tag', per: 'user_id', tagValue: 'u11', limitNano: USD / 2, spentNano: USD / 2, period: 'day' };
    expect(budgetExceededError(tag).message).toBe(
      "Budget 'free-daily' for user_id 'u11' exhausted: $0.50 of $0.50 used today; resets 2026-12-01T00:00:00Z; raise limit_usd of the budgets: entry 'free-daily' in the config and restart serve",
    );
  });

  it('the gate tells a config-declared key budget from a stored one', () => {
    const refusalOf = (configKeyBudget: (name: string) => boolean) => {
      const ledger = new BudgetLedger({ clock: () => Date.parse('2026-11-20T12:00:00Z'), timeZone: 'UTC', keyBudgets: new Map([['k', keyBudget(0.0001)]]) });
      const gate = new LedgerGate(ledger, new EstimatePrices(createPricer()), { configKeyBudget });
      const first = now(gate.reserve(gateRequest()));
      if (first.ok) gate.settle(first.reservation, 0.0002 * USD);
      const refused = now(gate.reserve(gateRequest()));
      if (refused.ok || refused.aborted) throw new Error('expected a refusal');
      return refused.error.message;
    };
    expect(refusalOf((name) => name === 'k')).toMatch(/; raise keys\.k\.budget\.limit_usd in the config and restart serve$/);
    expect(refusalOf(() => false)).toMatch(/; raise it with `tokometer keys set k --budget USD`$/);
  });
});
