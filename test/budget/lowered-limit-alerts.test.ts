import { describe, expect, it } from 'vitest';
import { harness, keyBudget, tagBudget, USD } from './helpers.js';

/**
 * A limit lowered below the spend already made (admin PATCH, `keys set`, a config reload)
 * puts thresholds behind the spend. With a hard cap now reached, every call is refused,
 * so no settle ever comes: the thresholds must fire when the limit changes, or the
 * budget blocks its callers all period without a single alert.
 */
describe('a limit lowered below the spend', () => {
  it('fires the thresholds it now puts behind the spend, although no call can settle any more', () => {
    const h = harness({ keys: { k: keyBudget(10) } });
    h.call('k', {}, 4); // 40 %: no alert yet
    expect(h.alerts).toEqual([]);
    h.ledger.setKeyBudget('k', keyBudget(4)); // now 100 % spent
    const r = h.call('k', {}, 0.01);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.blocked.reason).toBe('exhausted');
    expect(h.alerts.map((a) => [a.threshold, a.limitNano, a.spentNano])).toEqual([
      [0.5, 4 * USD, 4 * USD],
      [0.8, 4 * USD, 4 * USD],
      [1, 4 * USD, 4 * USD],
    ]);
  });

  it('the same for a tag budget whose limit is lowered (setTagBudgets); a threshold fired already does not fire again', () => {
    const h = harness({ tags: [tagBudget('team', 10, { match: { team: 'a' }, alertAt: [0.5, 1] })] });
    h.call(null, { team: 'a' }, 6); // 60 %: the 50 % alert
    expect(h.alerts.map((a) => a.threshold)).toEqual([0.5]);
    h.ledger.setTagBudgets([tagBudget('team', 5, { match: { team: 'a' }, alertAt: [0.5, 1] })]);
    expect(h.call(null, { team: 'a' }, 0.01).ok).toBe(false);
    expect(h.alerts.map((a) => [a.threshold, a.limitNano])).toEqual([
      [0.5, 10 * USD],
      [1, 5 * USD],
    ]);
  });
});
