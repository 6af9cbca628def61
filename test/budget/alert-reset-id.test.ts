import { afterEach, describe, expect, it } from 'vitest';
import type { PostJson } from '../../src/budget/alerts.js';
import { USD, keyBudget } from './helpers.js';
import { at, call, world } from './service-world.js';

/**
 * An admin reset re-arms a budget's thresholds: the same threshold can fire again in the
 * same period, and receivers that de-duplicate by the webhook's `id` (PagerDuty's
 * dedup_key) must not drop that second page. The id of an alert fired after a reset names
 * the reset (its `armed_from`, ms); one fired without a reset in its period keeps the id
 * it always had.
 */
describe('the webhook id of an alert fired again after an admin reset', () => {
  const w = world();
  afterEach(() => w.close());

  it('differs from the first firing by the reset time; the first keeps the id it had', async () => {
    await w.addKey('k', keyBudget(1, { alertAt: [0.5] }));
    const ids: unknown[] = [];
    const post: PostJson = async (_url, body) => {
      ids.push((JSON.parse(body) as Record<string, unknown>)['id']);
      return 200;
    };
    const svc = await w.service([], w.store, { alerts: { webhookUrl: 'https://hooks.example.invalid/tokometer', post, sleep: async () => {} } });
    // $0.60 of $1 crosses 50 % on 2026-11-20 12:00.
    expect(call(svc, 'k', 0.6)).toBe(true);
    await svc.idle();
    // Reset at 13:00, then $0.60 more crosses 50 % again in the same month.
    w.setNow('2026-11-20T13:00:00Z');
    expect(await svc.reset({ name: 'k' }, 'admin')).toMatchObject({ ok: true, clearedNano: 0.6 * USD });
    expect(call(svc, 'k', 0.6)).toBe(true);
    await svc.idle();

    const month = at('2026-11-01T00:00:00Z');
    const resetAt = at('2026-11-20T13:00:00Z');
    expect(ids).toEqual([`key:k:0.5:${month}:${USD}`, `key:k:0.5:${month}:${USD}:${resetAt}`]);
    await svc.close();
    expect((await w.store.budgets.alerts()).map((a) => [a.threshold, a.armedFrom])).toEqual([
      [0.5, month],
      [0.5, resetAt],
    ]);
  });
});
