import { describe, expect, it } from 'vitest';
import type { BudgetCounter } from '../../src/budget/counter.js';
import { Reservation } from '../../src/budget/reservation.js';
import type { Logger } from '../../src/proxy/log.js';
import { UncostedOnBudgetNotice } from '../../src/proxy/uncosted-on-budget.js';

/**
 * The warning about calls with cost null (unpriced, or usage unknown) on a hard budget
 * remembers at most 1,000 (reason, key, model) triples. It stopped warning once full (a
 * review: a client inventing 1,000 model names silenced the warning for a real unpriced
 * model); it now starts afresh instead.
 */
describe('the uncosted-on-hard-budget warning, past 1,000 pairs', () => {
  /** A call of `model` on key capped, recorded with cost null and usage from `usageSource`. */
  const call = (model: string, usageSource: 'reported' | 'unknown' = 'reported') => ({ provider: 'openai', keyName: 'capped', model, endpoint: 'chat.completions', usage: null, costNano: null, usageSource });

  it('still warns about a new pair: a client inventing model names cannot silence it', () => {
    const warnings: string[] = [];
    const log = { warn: (msg: string) => void warnings.push(msg), info: () => {}, error: () => {} } as unknown as Logger;
    const notice = new UncostedOnBudgetNotice(log);
    const hard = new Reservation([{ name: 'capped', soft: false } as unknown as BudgetCounter], [0], 0, 0, 'capped', null);
    for (let i = 0; i < 1000; i++) notice.settledUncosted(call(`invented-${i}`), hard);
    expect(warnings).toHaveLength(1000);
    notice.settledUncosted(call('gpt-9-turbo'), hard);
    expect(warnings).toHaveLength(1001);
    expect(warnings.at(-1)).toBe('calls of gpt-9-turbo on key capped have no price: they count $0 against its budget capped; add a price under prices: (docs/prices.md)');
    // Once per pair still.
    notice.settledUncosted(call('gpt-9-turbo'), hard);
    expect(warnings).toHaveLength(1001);
    // The same pair with usage unknown is a warning of its own; a priced call (cost 0) is none.
    notice.settledUncosted(call('gpt-9-turbo', 'unknown'), hard);
    notice.settledUncosted({ ...call('gpt-9-turbo'), costNano: 0 }, hard);
    expect(warnings).toHaveLength(1002);
  });
});
