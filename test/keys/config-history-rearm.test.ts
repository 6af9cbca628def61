import { describe, expect, it } from 'vitest';
import { raisedAtStart, recordRearmedAtStart } from '../../src/keys/config-history.js';
import type { BudgetLimitRecord, KeyBudget, KeyEvent } from '../../src/store/types.js';

/**
 * keys.app.budget.limit_usd raised from $1 to $2 while serve was stopped, with $0.90 spent:
 * the 0.5 threshold reached under $1 is ahead of the spend again under $2, as after a
 * `keys set` raise while serving (which records `proxy alerts_rearmed`). The restart
 * records the same entry.
 */
const USD = 1e9;
const row = (budget: string, limitNano: number, alertAt = [0.5, 0.8, 1]): BudgetLimitRecord => ({ kind: 'key', budget, per: null, limitNano, period: 'day', alertAt, seenAt: 0 });
const budget = (limitNano: number, alertAt = [0.5, 0.8, 1]): KeyBudget => ({ limitNano, period: 'day', alertAt, soft: false });

describe('alerts re-armed by a limit raised while serve was stopped', () => {
  it('names the thresholds reached under the old limit and not under the new one', () => {
    const raised = raisedAtStart([row('app', 1 * USD), row('same', 1 * USD), row('lowered', 2 * USD), row('other-thresholds', 1 * USD, [0.5])], new Map([
      ['app', budget(2 * USD)],
      ['same', budget(1 * USD)],
      ['lowered', budget(1 * USD)],
      ['other-thresholds', budget(2 * USD)],
    ]), new Map([['app', 0.9 * USD], ['same', 0.9 * USD], ['lowered', 0.9 * USD], ['other-thresholds', 0.9 * USD]]));
    expect(raised).toEqual([{ name: 'app', fromNano: 1 * USD, toNano: 2 * USD, thresholds: [0.5, 0.8], spentNano: 0.9 * USD }]);
  });

  it('records alerts_rearmed once, however many replicas start with the raise', async () => {
    const trail: KeyEvent[] = [];
    const tx = {
      keys: { lock: async () => {} },
      history: {
        list: async () => trail,
        append: async (e: Omit<KeyEvent, 'id'>) => void trail.push({ ...e, id: trail.length + 1 } as KeyEvent),
      },
    };
    const store = { ...tx, unitOfWork: async <T>(fn: (t: typeof tx) => Promise<T>) => fn(tx) } as never;
    const raised = [{ name: 'app', fromNano: 1 * USD, toNano: 2 * USD, thresholds: [0.5, 0.8], spentNano: 0.9 * USD }];
    await recordRearmedAtStart(store, raised, 1000);
    await recordRearmedAtStart(store, raised, 1001);
    expect(trail).toHaveLength(1);
    expect(trail[0]).toMatchObject({ actor: 'proxy', action: 'alerts_rearmed', keyName: 'app', details: { thresholds: [0.5, 0.8], limit_usd: { from: 1, to: 2 }, spent_usd: 0.9 } });
  });
});
