import { afterAll, describe, expect, it } from 'vitest';
import { BudgetService } from '../../src/budget/service.js';
import { hashSecret, keyPrefix, newMeteringKey } from '../../src/lib/ids.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { KeyResolver } from '../../src/proxy/auth.js';
import { postgresCallSink } from '../../src/store/pg/call-sink.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/pg/pg-store.js';
import { makeCall } from '../store/fixtures.js';
import { pgDatabases } from '../support/pg-databases.js';
import { USD, keyBudget } from './helpers.js';
import { at, NOW } from './service-world.js';

const pg = pgDatabases();

/** restart-lowered-limit.test.ts on PostgreSQL: the limits serve ran with are kept there too (schema v10). */
describe('a limit lowered while serve was stopped, on PostgreSQL', () => {
  const stores: PostgresStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
  });

  it('alerts once at the next start: $10 → $5 with $5 spent fires 80 % and 100 %; a further restart sends nothing', async () => {
    const store = await openPostgresStore(await pg.url('restart_lowered'), 'create');
    stores.push(store);
    const lines: string[] = [];
    const service = async () => {
      const keys = new KeyResolver(store, {});
      await keys.reload();
      return BudgetService.create({ store, keys, tagBudgets: [], timeZone: 'UTC', pricer: createPricer(), clock: () => at(NOW), log: (l) => lines.push(l) });
    };
    const secret = newMeteringKey();
    await store.keys.create({ name: 'k', prefix: keyPrefix(secret), hash: hashSecret(secret), budget: keyBudget(10, { alertAt: [0.8, 1] }), createdAt: at(NOW) });
    await postgresCallSink(store.db).write([makeCall(0, { ts: at('2026-11-20T10:00:00Z'), keyName: 'k', tags: {}, costNano: 5 * USD })]);
    await service();
    expect(lines).toEqual([]);
    expect((await store.budgets.budgetLimits()).map((r) => [r.kind, r.budget, r.limitNano, r.alertAt])).toEqual([['key', 'k', 10 * USD, [0.8, 1]]]);

    await store.keys.update('k', { budget: keyBudget(5, { alertAt: [0.8, 1] }) });
    await service();
    expect(lines).toEqual([expect.stringContaining("key budget 'k' reached 80% of its limit"), expect.stringContaining('reached 100%')]);
    expect((await store.budgets.budgetLimits()).map((r) => r.limitNano)).toEqual([5 * USD]);
    // The alert rows are written in the background: the next restart must find them (and the limit unchanged).
    for (let i = 0; i < 50 && (await store.budgets.alerts()).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    await service();
    expect(lines).toHaveLength(2);
  });
});
