import { afterEach, describe, expect, it } from 'vitest';
import { USD, keyBudget, tagBudget } from './helpers.js';
import { call, stateOf, world } from './service-world.js';

/**
 * A limit lowered while serve was stopped (config or `keys set` edited, then serve
 * started again) puts thresholds behind the spend the restart seeds from the store, as a
 * limit lowered while serve runs does (lowered-limit-alerts.test.ts). A reached hard cap
 * lets no call settle any more, so unless the start fires them, the budget refuses every
 * call all period without a single alert.
 */
describe('a limit lowered while serve was stopped', () => {
  let w: ReturnType<typeof world>;
  afterEach(() => w.close());

  const stored = async () => (await w.store.budgets.alerts()).map((a) => [a.budget, a.threshold, a.limitNano, a.spentNano]);

  it('alerts at the next start for the thresholds it puts behind the spend: key budget $10 → $5 with $5 spent fires 80 % and 100 %, once', async () => {
    w = world();
    await w.addKey('k', keyBudget(10, { alertAt: [0.8, 1] }));
    w.spend('k', '2026-11-20T10:00:00Z', 5);
    const first = await w.service(); // $5 of $10: 50 %, no alert
    expect(stateOf(first, 'k')!.spentNano).toBe(5 * USD);
    expect(w.lines).toEqual([]);

    await w.store.keys.update('k', { budget: keyBudget(5, { alertAt: [0.8, 1] }) });
    const restarted = await w.service();
    expect(stateOf(restarted, 'k')).toMatchObject({ spentNano: 5 * USD, limitNano: 5 * USD, blocked: true });
    expect(w.lines).toEqual([expect.stringContaining("key budget 'k' reached 80% of its limit"), expect.stringContaining("key budget 'k' reached 100% of its limit")]);
    expect(await stored()).toEqual([
      ['k', 0.8, 5 * USD, 5 * USD],
      ['k', 1, 5 * USD, 5 * USD],
    ]);
    expect(call(restarted, 'k', 0.01)).toBe(false); // the cap is reached: no settle, no further alert
    expect(w.lines).toHaveLength(2);

    // Sent once: a further restart under the same limit sends nothing again.
    await w.service();
    expect(w.lines).toHaveLength(2);
  });

  it('the same for a tag budget whose config limit went from $10 to $6 with $5 spent (83 %): 80 % fires, 100 % waits for the spend', async () => {
    w = world();
    const team = (limitUsd: number) => [tagBudget('team', limitUsd, { match: { team: 'a' }, period: 'month', alertAt: [0.8, 1] })];
    await w.addKey('k', null);
    w.spend('k', '2026-11-20T10:00:00Z', 5, { team: 'a' });
    await w.service(team(10));
    expect(w.lines).toEqual([]);

    const restarted = await w.service(team(6));
    expect(w.lines).toEqual([expect.stringContaining("tag budget 'team' reached 80% of its limit")]);
    expect(await stored()).toEqual([['team', 0.8, 6 * USD, 5 * USD]]);
    expect(call(restarted, 'k', 1, { team: 'a' })).toBe(true); // $6 of $6
    expect(w.lines).toEqual([expect.stringContaining('reached 80%'), expect.stringContaining("tag budget 'team' reached 100% of its limit")]);
  });
});
