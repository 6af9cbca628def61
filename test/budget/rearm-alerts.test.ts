import { afterEach, describe, expect, it } from 'vitest';
import type { BudgetService } from '../../src/budget/service.js';
import { KeyResolver } from '../../src/proxy/auth.js';
import { USD, keyBudget, tagBudget } from './helpers.js';
import { at, call, NOW, stateOf, world } from './service-world.js';

/**
 * Spend falling back below an alert threshold, for any reason (a reprice down, a raised
 * limit), re-arms it: the next crossing is a new alert with its own stored row and its own
 * webhook, not a repeat of the first that the store's claim swallows. A limit lowered under
 * the spend while serve runs (also with a changed period) fires the thresholds it newly puts
 * behind the spend, once.
 */
describe('re-armed and lowered-limit alerts reach the store and the webhook', () => {
  let w: ReturnType<typeof world>;
  afterEach(() => w.close());

  /** A service on `w` whose webhook posts are collected (parsed bodies). */
  async function serviceWithHook(tags = [] as Parameters<typeof w.service>[0]) {
    const posted: Array<{ id: string; threshold: number; budget: { limit_usd: number } }> = [];
    const keys = new KeyResolver(w.store, {});
    await keys.reload();
    const svc = await w.service(tags, w.store, { keys, alerts: { webhookUrl: 'http://hook.invalid/x', post: async (_url, body) => (posted.push(JSON.parse(body)), 200) } });
    return { svc, posted, keys };
  }
  const hundred = (svc: BudgetService) => svc.recentAlerts().filter((e) => e.threshold === 1);

  it('a reprice down that takes a per-user tag budget below 100 % re-arms it: the next crossing fires a second 100 % alert', async () => {
    w = world();
    await w.addKey('k', null);
    const tags = [tagBudget('free-daily', 0.001, { per: 'user_id', alertAt: [0.5, 1] })];
    const { svc, posted } = await serviceWithHook(tags);
    const u1 = { user_id: 'u1' };
    expect(call(svc, 'k', 0.0009, u1)).toBe(true);
    expect(call(svc, 'k', 0.00045, u1)).toBe(true); // $0.00135 of $0.001: the 100 % alert
    expect(call(svc, 'k', 0.0001, u1)).toBe(false);
    // prices reprice: the calls cost $0.0003 less, $0.00105 -> still over; another $0.0003 less: $0.00075.
    svc.adjustSpend([{ id: 1, ts: at(NOW), keyName: 'k', tags: u1, deltaNano: -0.0006 * USD }]);
    expect(stateOf(svc, 'free-daily', 'u1')).toMatchObject({ spentNano: 0.00075 * USD, blocked: false });
    expect(call(svc, 'k', 0.0003, u1)).toBe(true); // $0.00105: crosses 100 % again
    expect(call(svc, 'k', 0.0001, u1)).toBe(false);
    await svc.idle();
    expect(hundred(svc)).toHaveLength(2);
    const rows = (await w.store.budgets.alerts()).filter((a) => a.threshold === 1);
    expect(rows.map((a) => a.spentNano)).toEqual([0.00135 * USD, 0.00105 * USD]);
    expect(new Set(rows.map((a) => a.armedFrom)).size).toBe(2);
    const hooks = posted.filter((p) => p.threshold === 1);
    expect(hooks).toHaveLength(2);
    expect(hooks[0]!.id).not.toBe(hooks[1]!.id);
    // Once: a further call, and a restart (on the calls as stored, repriced), fire nothing more.
    w.spend('k', NOW, 0.00105, u1);
    const restarted = await w.service(tags);
    expect(call(restarted, 'k', 0.0001, u1)).toBe(false);
    expect(w.lines.filter((l) => /(reached|passed) 100% of its limit/.test(l))).toHaveLength(2);
  });

  it('a reprice down that re-arms a key budget\'s thresholds lists proxy alerts_rearmed in keys history once, however many replicas apply it', async () => {
    w = world();
    await w.addKey('k', keyBudget(1, { alertAt: [0.5, 1] }));
    w.spend('k', NOW, 1.2); // both replicas seed $1.20: 50 % and 100 % count as fired
    const a = await w.service();
    const b = await w.service();
    const change = { id: 7, ts: at(NOW), keyName: 'k', tags: {}, deltaNano: -0.5 * USD };
    await Promise.all([a.adjustSpend([change]), b.adjustSpend([change])]);
    const trail = await w.store.history.list({ keyName: 'k' });
    expect(trail.map((e) => `${e.actor} ${e.action}`)).toEqual(['proxy alerts_rearmed']);
    expect(trail[0]!.details).toEqual({ thresholds: [1], repriced_through: 7, spent_usd: 0.7 });
    expect(call(a, 'k', 0.4)).toBe(true);
    expect(w.lines).toEqual([expect.stringContaining("key budget 'k' passed 100% of its limit (now 110%")]);
  });

  it('a raised limit lowered back fires the re-armed thresholds as new alerts (row and webhook), once', async () => {
    w = world();
    await w.addKey('k', keyBudget(1, { alertAt: [0.5, 1] }));
    const { svc, posted, keys } = await serviceWithHook();
    expect(call(svc, 'k', 1.2)).toBe(true);
    await w.store.keys.update('k', { budget: keyBudget(10, { alertAt: [0.5, 1] }) });
    await keys.reload();
    await w.store.keys.update('k', { budget: keyBudget(1, { alertAt: [0.5, 1] }) });
    await keys.reload();
    expect(call(svc, 'k', 0.01)).toBe(false);
    await svc.idle();
    expect((await w.store.budgets.alerts()).map((a) => [a.threshold, a.limitNano])).toEqual([
      [0.5, USD],
      [1, USD],
      [0.5, USD],
      [1, USD],
    ]);
    expect(posted.map((p) => p.threshold)).toEqual([0.5, 1, 0.5, 1]);
    expect(new Set(posted.map((p) => p.id)).size).toBe(4);
  });

  it('keys set lowering a key budget under its spend, with a new period, fires the crossed thresholds once (row and webhook)', async () => {
    w = world();
    await w.addKey('other', keyBudget(20, { period: 'day' }));
    w.spend('other', '2026-11-19T10:00:00Z', 0.0006);
    const { svc, posted, keys } = await serviceWithHook();
    expect(call(svc, 'other', 0.0008)).toBe(true); // $0.0008 today: far below 50 % of $20
    w.spend('other', NOW, 0.0008); // its record, as the writer stores it
    expect(posted).toEqual([]);
    // keys set other --budget 0.001 --period total: $0.0014 in total, over the new limit.
    await w.store.keys.update('other', { budget: keyBudget(0.001, { period: 'total' }) });
    await keys.reload();
    expect(stateOf(svc, 'other')).toMatchObject({ spentNano: 0.0014 * USD, blocked: true });
    expect(call(svc, 'other', 0.0001)).toBe(false);
    expect(call(svc, 'other', 0.0001)).toBe(false);
    await svc.idle();
    expect(w.lines.filter((l) => l.startsWith('budget alert'))).toEqual([
      expect.stringContaining("key budget 'other' passed 50% of its limit (now 140%"),
      expect.stringContaining('passed 80% of its limit (now 140%'),
      expect.stringContaining('passed 100% of its limit (now 140%'),
    ]);
    expect((await w.store.budgets.alerts()).map((a) => [a.threshold, a.period, a.limitNano])).toEqual([
      [0.5, 'total', 0.001 * USD],
      [0.8, 'total', 0.001 * USD],
      [1, 'total', 0.001 * USD],
    ]);
    expect(posted.map((p) => p.threshold)).toEqual([0.5, 0.8, 1]);
  });

  it('keys set lowering a key budget under its spend in the same period fires 100 % once, not again on the next call', async () => {
    w = world();
    await w.addKey('k', keyBudget(10, { alertAt: [1] }));
    const { svc, posted, keys } = await serviceWithHook();
    expect(call(svc, 'k', 3)).toBe(true);
    await w.store.keys.update('k', { budget: keyBudget(2, { alertAt: [1] }) });
    await keys.reload();
    expect(call(svc, 'k', 0.01)).toBe(false);
    expect(call(svc, 'k', 0.01)).toBe(false);
    await svc.idle();
    expect((await w.store.budgets.alerts()).map((a) => [a.threshold, a.limitNano, a.spentNano])).toEqual([[1, 2 * USD, 3 * USD]]);
    expect(posted).toHaveLength(1);
  });
});
