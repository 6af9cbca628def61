import { describe, expect, it } from 'vitest';
import type { BudgetCounter } from '../../src/budget/counter.js';
import { Reservation } from '../../src/budget/reservation.js';
import type { Logger } from '../../src/proxy/log.js';
import { UnpricedOnBudgetNotice } from '../../src/proxy/unpriced-on-budget.js';

/**
 * The warning about unpriced calls on a hard budget remembers at most 1,000 (key, model) pairs.
 * It stopped warning once full (a review: a client inventing 1,000 model names silenced the
 * warning for a real unpriced model); it now starts afresh instead.
 */
describe('the unpriced-on-hard-budget warning, past 1,000 pairs', () => {
  it('still warns about a new pair: a client inventing model names cannot silence it', () => {
    const warnings: string[] = [];
    const log = { warn: (msg: string) => void warnings.push(msg), info: () => {}, error: () => {} } as unknown as Logger;
    const notice = new UnpricedOnBudgetNotice(log);
    const hard = new Reservation([{ name: 'capped', soft: false } as unknown as BudgetCounter], [0], 0, 0, 'capped', null);
    for (let i = 0; i < 1000; i++) notice.settledUnpriced('openai', 'capped', `invented-${i}`, hard);
    expect(warnings).toHaveLength(1000);
    notice.settledUnpriced('openai', 'capped', 'gpt-9-turbo', hard);
    expect(warnings).toHaveLength(1001);
    expect(warnings.at(-1)).toBe('calls of gpt-9-turbo on key capped have no price: they count $0 against its budget capped; add a price under prices: (docs/prices.md)');
    // Once per pair still.
    notice.settledUnpriced('openai', 'capped', 'gpt-9-turbo', hard);
    expect(warnings).toHaveLength(1001);
  });
});
