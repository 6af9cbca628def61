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
    expect(w.lines).toEqual([expect.stringContaining("key budget 'k' passed 80% of its limit (now 100%: $5.00 of $5.00"), expect.stringContaining("key budget 'k' reached 100% of its limit ($5.00 of $5.00")]);
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
    expect(w.lines).toEqual([expect.stringContaining("tag budget 'team' passed 80% of its limit (now 83%: $5.00 of $6.00")]);
    expect(await stored()).toEqual([['team', 0.8, 6 * USD, 5 * USD]]);
    expect(call(restarted, 'k', 1, { team: 'a' })).toBe(true); // $6 of $6
    expect(w.lines).toEqual([expect.stringContaining('passed 80%'), expect.stringContaining("tag budget 'team' reached 100% of its limit")]);
  });
});

describe('no stale alerts at start', () => {
  let w: ReturnType<typeof world>;
  afterEach(() => w.close());

  it('a budget serve never ran starts silent although its spend is past its thresholds; so does a restart with the limit unchanged or raised, or with other thresholds or period', async () => {
    w = world();
    w.spend('k', '2026-11-20T10:00:00Z', 9, { team: 'a' });
    await w.addKey('k', keyBudget(10)); // new to serve: $9 of $10, 90 %
    const first = await w.service([tagBudget('team', 5, { match: { team: 'a' }, alertAt: [0.5, 1] })]); // new tag budget: 180 %
    expect(stateOf(first, 'k')!.spentNano).toBe(9 * USD);
    expect(stateOf(first, 'team')!.spentNano).toBe(9 * USD);
    await w.service([tagBudget('team', 5, { match: { team: 'a' }, alertAt: [0.5, 1] })]); // unchanged
    await w.store.keys.update('k', { budget: keyBudget(20) }); // raised: 45 %
    await w.service();
    await w.store.keys.update('k', { budget: keyBudget(8, { alertAt: [0.6, 0.9] }) }); // lower, with other thresholds: taken as new
    await w.service();
    await w.store.keys.update('k', { budget: keyBudget(4, { alertAt: [0.6, 0.9], period: 'day' }) }); // lower, other period: taken as new
    const last = await w.service();
    expect(stateOf(last, 'k')).toMatchObject({ spentNano: 9 * USD, limitNano: 4 * USD, period: 'day' });
    expect(w.lines).toEqual([]);
    expect(await w.store.budgets.alerts()).toEqual([]);
  });

  it('an alert already sent in this period is not sent again: thresholds reached under the previous limit, and those a reload fired before the restart', async () => {
    w = world();
    await w.addKey('k', keyBudget(10)); // alerts at 50 %, 80 %, 100 %
    w.spend('k', '2026-11-20T10:00:00Z', 4);
    const first = await w.service();
    expect(call(first, 'k', 1)).toBe(true); // $5 of $10: 50 % fires
    expect(w.lines).toEqual([expect.stringContaining('reached 50%')]);
    w.spend('k', '2026-11-20T12:00:00Z', 1); // that call, as the store holds it

    await w.store.keys.update('k', { budget: keyBudget(6) }); // $5 of $6 after the restart: 83 %
    const second = await w.service();
    expect(w.lines).toEqual([expect.stringContaining('reached 50%'), expect.stringContaining('passed 80% of its limit (now 83%: $5')]);

    // Lowered again while serving: 100 % fires at once; the restart after it sends nothing.
    await second.syncKeys([{ name: 'k', budget: keyBudget(5) }]);
    expect(w.lines).toHaveLength(3);
    expect(w.lines[2]).toContain('reached 100%');
    await w.store.keys.update('k', { budget: keyBudget(5) });
    await w.service();
    expect(w.lines).toHaveLength(3);
    expect((await w.store.budgets.alerts()).map((a) => [a.threshold, a.limitNano])).toEqual([
      [0.5, 10 * USD],
      [0.8, 6 * USD],
      [1, 5 * USD],
    ]);
  });
});
