import { afterEach, describe, expect, it } from 'vitest';
import { USD, keyBudget, tagBudget } from './helpers.js';
import { at, NOW, stateOf, world } from './service-world.js';

/**
 * `prices reprice` run while serve is stopped moves the stored spend the next start seeds
 * from. Had serve been running, it would have read the change (reprice_spend) and fired
 * the thresholds the higher spend reaches (docs/prices.md, Budgets); the restart must do
 * the same for the thresholds crossed while it was stopped, and only for those.
 */
describe('a reprice made while serve was stopped', () => {
  let w: ReturnType<typeof world>;
  afterEach(() => w.close());

  /** `prices reprice` over November, every call of it now costing `usd`. */
  const reprice = (usd: number) =>
    w.store.prices.reprice({ since: at('2026-11-01T00:00:00Z'), until: at(NOW), actor: 'me@host', clock: () => at(NOW), prices: 'test', price: () => ({ costNano: usd * USD, priceSource: 'test' }) });
  const stored = async () => (await w.store.budgets.alerts()).map((a) => [a.budget, a.threshold, a.limitNano, a.spentNano]);

  it('alerts at the next start for the threshold it pushed the spend past: key budget $10, $7 spent, repriced to $8.50 fires 80 %, once across two restarts', async () => {
    w = world();
    await w.addKey('k', keyBudget(10, { alertAt: [0.8, 1] }));
    w.spend('k', '2026-11-20T10:00:00Z', 7);
    await w.service(); // $7 of $10: 70 %, no alert
    expect(w.lines).toEqual([]);

    expect((await reprice(8.5)).changed).toBe(1);
    const restarted = await w.service();
    expect(stateOf(restarted, 'k')).toMatchObject({ spentNano: 8.5 * USD, limitNano: 10 * USD, blocked: false });
    expect(w.lines).toEqual([expect.stringContaining("key budget 'k' passed 80% of its limit (now 85%: $8.50 of $10.00")]);
    expect(await stored()).toEqual([['k', 0.8, 10 * USD, 8.5 * USD]]);

    await w.service();
    await w.service();
    expect(w.lines).toHaveLength(1);
  });

  it('the same for a tag budget; a reprice that lowers the spend, or one that crosses nothing, sends nothing', async () => {
    w = world();
    const team = [tagBudget('team', 10, { match: { team: 'a' }, alertAt: [0.5, 0.8] })];
    await w.addKey('k', null);
    w.spend('k', '2026-11-20T10:00:00Z', 4, { team: 'a' });
    await w.service(team); // $4 of $10
    await reprice(3); // $3: lower
    await w.service(team);
    await reprice(4.5); // $4.50: below 50 %
    await w.service(team);
    expect(w.lines).toEqual([]);

    await reprice(9); // $9: past 50 % and 80 %
    const restarted = await w.service(team);
    expect(stateOf(restarted, 'team')!.spentNano).toBe(9 * USD);
    expect(w.lines).toEqual([expect.stringContaining("tag budget 'team' passed 50% of its limit (now 90%: $9.00"), expect.stringContaining("tag budget 'team' passed 80% of its limit (now 90%: $9.00")]);
  });

  it('a reprice a running serve applied is not replayed at the next start: the budgets record the newest change they hold', async () => {
    w = world();
    await w.addKey('k', keyBudget(10, { alertAt: [0.8, 1] }));
    w.spend('k', '2026-11-20T10:00:00Z', 7);
    const running = await w.service();
    expect(await w.store.budgets.repricesSeen()).toBe(0);
    await reprice(8.5);
    running.adjustSpend(await w.store.prices.spendChangesAfter(0, 10)); // what its price watch does
    expect(w.lines).toEqual([expect.stringContaining('passed 80% of its limit (now 85%: $8.50')]);
    for (let i = 0; i < 50 && (await w.store.budgets.repricesSeen()) !== 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await w.store.budgets.repricesSeen()).toBe(1);
    await w.service();
    expect(w.lines).toHaveLength(1);
  });

  it('a budget serve never ran still starts silent, as does one whose thresholds changed while stopped', async () => {
    w = world();
    await w.addKey('old', keyBudget(10, { alertAt: [0.8, 1] }));
    w.spend('old', '2026-11-20T10:00:00Z', 7);
    w.spend('new', '2026-11-20T10:00:00Z', 7);
    await w.service();
    await reprice(8.5);
    await w.addKey('new', keyBudget(10, { alertAt: [0.8, 1] })); // new to serve: $8.50 of $10
    await w.store.keys.update('old', { budget: keyBudget(10, { alertAt: [0.75, 1] }) }); // other thresholds: taken as new
    await w.service();
    expect(w.lines).toEqual([]);
  });
});
