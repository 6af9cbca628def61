import { afterEach, describe, expect, it } from 'vitest';
import { BudgetService } from '../../src/budget/service.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { KeyResolver } from '../../src/proxy/auth.js';
import { USD, keyBudget, tagBudget } from './helpers.js';
import { at, call, NOW, stateOf, world } from './service-world.js';

describe('BudgetService', () => {
  let w: ReturnType<typeof world>;
  afterEach(() => w.close());

  it('seeds each budget with the stored spend of its current period only', async () => {
    w = world();
    await w.addKey('k', keyBudget(10));
    w.spend('k', '2026-10-31T23:59:59Z', 3, { user: 'u1' }); // last month
    w.spend('k', '2026-11-02T00:00:00Z', 2, { user: 'u1' }); // this month, not today
    w.spend('k', '2026-11-20T00:00:00Z', 1, { user: 'u1' }); // today
    w.spend('k', '2026-11-20T11:00:00Z', 0.5, { user: 'u2' });
    w.spend('other', '2026-11-20T11:00:00Z', 4, { user: 'u1' });
    const svc = await w.service([tagBudget('daily', 100, { per: 'user' })]);
    expect(stateOf(svc, 'k')!.spentNano).toBe(3.5 * USD);
    expect(stateOf(svc, 'daily', 'u1')!.spentNano).toBe(5 * USD);
    expect(stateOf(svc, 'daily', 'u2')!.spentNano).toBe(0.5 * USD);
  });

  it('replays resets of the current period: spend before a reset does not come back', async () => {
    w = world();
    await w.addKey('k', keyBudget(10));
    const tags = [tagBudget('daily', 100, { per: 'user' })];
    w.spend('k', '2026-11-20T01:00:00Z', 1, { user: 'u1' });
    w.spend('k', '2026-11-20T01:00:00Z', 2, { user: 'u2' });
    w.setNow('2026-11-20T02:00:00Z');
    const first = await w.service(tags);
    expect(await first.reset({ name: 'daily', tagValue: 'u1' }, 'admin')).toMatchObject({ ok: true, allValues: false, clearedNano: USD });
    expect(await first.reset({ name: 'k' }, 'cli')).toMatchObject({ ok: true, kind: 'key', clearedNano: 3 * USD });
    // Spend after the resets counts; a reset of the previous day, and one of a budget now gone, are ignored.
    await w.store.budgets.recordReset({ kind: 'tag', budget: 'daily', tagValue: 'u2', allValues: false, period: 'day', periodStart: at('2026-11-19T00:00:00Z'), resetAt: at('2026-11-19T23:00:00Z'), by: 'admin' });
    await w.store.budgets.recordReset({ kind: 'tag', budget: 'gone', tagValue: null, allValues: true, period: 'day', periodStart: at('2026-11-20T00:00:00Z'), resetAt: at('2026-11-20T02:00:00Z'), by: 'admin' });
    w.spend('k', '2026-11-20T03:00:00Z', 0.25, { user: 'u1' });
    w.setNow('2026-11-20T04:00:00Z');
    const restarted = await w.service(tags);
    expect(stateOf(restarted, 'k')!.spentNano).toBe(0.25 * USD);
    expect(stateOf(restarted, 'daily', 'u1')!.spentNano).toBe(0.25 * USD);
    expect(stateOf(restarted, 'daily', 'u2')!.spentNano).toBe(2 * USD);

    // Every instance of a per budget at once.
    expect(await restarted.reset({ name: 'daily' }, 'admin')).toMatchObject({ ok: true, allValues: true, tagValue: null, clearedNano: 2.25 * USD });
    const again = await w.service(tags);
    expect(again.snapshot().filter((s) => s.name === 'daily').every((s) => s.spentNano === 0)).toBe(true);
    expect((await w.store.history.list()).map((e) => `${e.actor}:${e.action}:${e.keyName}`)).toEqual(['admin:budget_reset:daily', 'cli:budget_reset:k', 'admin:budget_reset:daily']);
  });

  it('reset names the budget it cannot find or cannot tell apart', async () => {
    w = world();
    await w.addKey('same', keyBudget(1));
    const svc = await w.service([tagBudget('same', 1), tagBudget('shared', 1)]);
    expect(await svc.reset({ name: 'nope' }, 'admin')).toEqual({ ok: false, reason: 'not_found' });
    expect(await svc.reset({ name: 'same' }, 'admin')).toEqual({ ok: false, reason: 'ambiguous' });
    expect(await svc.reset({ name: 'same', kind: 'tag' }, 'admin')).toMatchObject({ ok: true, kind: 'tag' });
    // A tag budget without `per` has one instance, whatever tag value is asked for.
    expect(await svc.reset({ name: 'shared', tagValue: 'x' }, 'admin')).toMatchObject({ ok: true, tagValue: null, allValues: false });
  });

  it('fires each threshold once per period with a log line and a stored row; soft budgets alert but never block', async () => {
    w = world();
    await w.addKey('soft', keyBudget(1, { soft: true, alertAt: [0.5, 1] }));
    const svc = await w.service();
    expect(call(svc, 'soft', 0.6)).toBe(true);
    expect(call(svc, 'soft', 0.6)).toBe(true);
    expect(call(svc, 'soft', 5)).toBe(true);
    expect(w.lines).toEqual([expect.stringContaining("key budget 'soft' passed 50% of its limit (now 60%: $0.60 of $1.00"), expect.stringContaining('passed 100% of its limit (now 120%: $1.20 of $1.00')]);
    expect((await w.store.budgets.alerts()).map((a) => [a.budget, a.threshold, a.soft, a.spentNano])).toEqual([
      ['soft', 0.5, true, 0.6 * USD],
      ['soft', 1, true, 1.2 * USD],
    ]);
    expect(svc.recentAlerts().map((e) => e.threshold)).toEqual([1, 0.5]);
    expect(stateOf(svc, 'soft')).toMatchObject({ soft: true, blocked: false });
  });

  it('does not fire again after a restart what the alerts table holds for the period and limit, unless a reset or a raised limit re-armed it', async () => {
    w = world();
    await w.addKey('k', keyBudget(1, { alertAt: [0.5] }));
    const paid = (svc: BudgetService, usd: number, iso: string) => {
      w.setNow(iso);
      w.spend('k', iso, usd);
      call(svc, 'k', usd);
    };
    // Fired this period at 0.5 under the same limit (the stored spend is below it now).
    await w.store.budgets.recordAlert({ kind: 'key', budget: 'k', tagValue: null, threshold: 0.5, period: 'month', periodStart: at('2026-11-01T00:00:00Z'), armedFrom: at('2026-11-01T00:00:00Z'), spentNano: 1, limitNano: USD, soft: false, firedAt: at('2026-11-19T00:00:00Z') });
    // An alert of last month does not count.
    await w.store.budgets.recordAlert({ kind: 'key', budget: 'k', tagValue: null, threshold: 0.5, period: 'month', periodStart: at('2026-10-01T00:00:00Z'), armedFrom: at('2026-10-01T00:00:00Z'), spentNano: 1, limitNano: 2, soft: false, firedAt: at('2026-10-19T00:00:00Z') });
    const svc = await w.service();
    paid(svc, 0.7, '2026-11-20T12:00:00Z');
    expect(w.lines).toEqual([]);

    // An admin reset re-arms the threshold in this process. (A call in the very ms of a reset
    // counts after it when the ledger is rebuilt: the safe side for a cap.)
    w.setNow('2026-11-20T12:30:00Z');
    await svc.reset({ name: 'k' }, 'admin');
    paid(svc, 0.7, '2026-11-20T13:00:00Z');
    expect(w.lines).toHaveLength(1);
    expect(await w.store.budgets.alerts()).toHaveLength(3);

    // Restart under the same limit: the alert fired after the reset holds.
    const same = await w.service();
    paid(same, 0.1, '2026-11-20T13:30:00Z');
    expect(w.lines).toHaveLength(1);

    // Restart with a 10x limit (#18 point 7): spend is far below 50 % again, so 50 % of the
    // new limit is a new alert when the spend reaches it.
    await w.store.keys.update('k', { budget: keyBudget(10, { alertAt: [0.5] }) });
    const restarted = await w.service();
    expect(stateOf(restarted, 'k')!.spentNano).toBe(0.8 * USD);
    paid(restarted, 3, '2026-11-20T14:00:00Z');
    expect(w.lines).toHaveLength(1);
    paid(restarted, 2, '2026-11-20T14:10:00Z');
    expect(w.lines).toHaveLength(2);
    const again = await w.service();
    paid(again, 0.1, '2026-11-20T14:20:00Z');
    expect(w.lines).toHaveLength(2);
    w.setNow('2026-11-20T14:30:00Z');
    await again.reset({ name: 'k' }, 'admin');
    paid(again, 6, '2026-11-20T15:00:00Z');
    expect(w.lines).toHaveLength(3);
  });

  it('a total budget keeps, across restarts and a change to `total` while serving, the spend of calls retention pruned', async () => {
    w = world();
    await w.addKey('k', keyBudget(5, { period: 'total' }));
    await w.addKey('m', keyBudget(5, { period: 'month' }));
    const tags = [tagBudget('lifetime', 5, { period: 'total', per: 'user_id' })];
    w.spend('k', '2026-06-01T10:00:00Z', 4, { user_id: 'u1' });
    w.spend('m', '2026-06-01T10:00:00Z', 3, { user_id: 'u2' });
    w.spend('k', '2026-11-19T10:00:00Z', 0.5, { user_id: 'u1' });
    expect(await w.store.prune(40, at(NOW))).toMatchObject({ calls: 2 });
    const keys = new KeyResolver(w.store, {});
    await keys.reload();
    const svc = await BudgetService.create({ store: w.store, keys, tagBudgets: tags, timeZone: 'UTC', pricer: createPricer(), clock: () => at(NOW), log: () => {} });
    expect(stateOf(svc, 'k')!.spentNano).toBe(4.5 * USD);
    expect(stateOf(svc, 'lifetime', 'u1')!.spentNano).toBe(4.5 * USD);
    expect(stateOf(svc, 'lifetime', 'u2')!.spentNano).toBe(3 * USD);
    expect(call(svc, 'k', 0.5, { user_id: 'u1' })).toBe(true);
    expect(call(svc, 'k', 0.01, { user_id: 'u1' })).toBe(false);
    // A budget changed to `total` while serving reads the pruned spend too.
    await w.store.keys.update('m', { budget: keyBudget(5, { period: 'total' }) });
    await keys.reload();
    expect(stateOf(svc, 'm')!.spentNano).toBe(3 * USD);
  });

  it('README: a raised limit re-arms the thresholds, so lowering it back (to the limit they fired under) fires them again', async () => {
    w = world();
    await w.addKey('k', keyBudget(1, { alertAt: [0.5, 0.8] }));
    const keys = new KeyResolver(w.store, {});
    await keys.reload();
    const svc = await BudgetService.create({ store: w.store, keys, tagBudgets: [], timeZone: 'UTC', pricer: createPricer(), clock: () => at(NOW), log: (l) => w.lines.push(l) });
    call(svc, 'k', 0.85);
    expect(w.lines).toEqual([expect.stringContaining('passed 50% of its limit (now 85%'), expect.stringContaining('passed 80% of its limit (now 85%')]);
    // Raised to $10: $0.85 is below both thresholds again (keys history records alerts_rearmed).
    await w.store.keys.update('k', { budget: keyBudget(10, { alertAt: [0.5, 0.8] }) });
    await keys.reload();
    // Lowered back to $1: the spend is past both re-armed thresholds, which fire at once.
    await w.store.keys.update('k', { budget: keyBudget(1, { alertAt: [0.5, 0.8] }) });
    await keys.reload();
    expect(w.lines.slice(2)).toEqual([expect.stringContaining('passed 50% of its limit (now 85%'), expect.stringContaining('passed 80% of its limit (now 85%')]);
  });
  it('applies key budget changes on reload: same period keeps spend, a new period takes the stored spend, revoked keys go', async () => {
    w = world();
    await w.addKey('k', keyBudget(1, { period: 'month' }));
    w.spend('k', '2026-11-02T00:00:00Z', 0.5);
    w.spend('k', '2026-11-20T01:00:00Z', 0.25);
    const keys = new KeyResolver(w.store, {});
    await keys.reload();
    const svc = await BudgetService.create({ store: w.store, keys, tagBudgets: [], timeZone: 'UTC', pricer: createPricer(), clock: () => at(NOW), log: () => {} });
    expect(stateOf(svc, 'k')!.spentNano).toBe(0.75 * USD);
    await w.store.keys.update('k', { budget: keyBudget(2, { period: 'month' }) });
    await keys.reload();
    expect(stateOf(svc, 'k')).toMatchObject({ spentNano: 0.75 * USD, limitNano: 2 * USD });
    await w.store.keys.update('k', { budget: keyBudget(2, { period: 'day' }) });
    await keys.reload();
    expect(stateOf(svc, 'k')).toMatchObject({ spentNano: 0.25 * USD, period: 'day' });
    await w.store.keys.revoke('k', at(NOW));
    await keys.reload();
    expect(stateOf(svc, 'k')).toBeUndefined();
  });
  it('reads a new budget\'s stored spend once the injected write hold has written what was accepted; limit changes apply without a read', async () => {
    w = world();
    await w.addKey('k', null);
    w.spend('k', '2026-11-20T01:00:00Z', 0.25);
    const keys = new KeyResolver(w.store, {});
    await keys.reload();
    let flushes = 0;
    // The record writer's hold: records it had accepted are in the store once `written` resolves.
    const flush = async () => {
      await new Promise((r) => setTimeout(r, 5));
      w.spend('k', '2026-11-20T11:00:00Z', 0.5);
      flushes++;
      return true;
    };
    const holdWrites = () => ({ written: flush(), release: () => {} });
    const svc = await BudgetService.create({ store: w.store, keys, tagBudgets: [], timeZone: 'UTC', pricer: createPricer(), clock: () => at(NOW), log: () => {}, holdWrites });
    expect(stateOf(svc, 'k')).toBeUndefined();
    await w.store.keys.update('k', { budget: keyBudget(1) });
    const reloading = keys.reload();
    await new Promise((r) => setImmediate(r));
    expect(stateOf(svc, 'k')).toBeUndefined(); // still reading: not applied half-way
    await reloading;
    expect(flushes).toBe(1);
    expect(stateOf(svc, 'k')!.spentNano).toBe(0.75 * USD);
    await w.store.keys.update('k', { budget: keyBudget(3) });
    await keys.reload();
    expect(flushes).toBe(1);
    expect(stateOf(svc, 'k')).toMatchObject({ limitNano: 3 * USD, spentNano: 0.75 * USD });
  });
});
