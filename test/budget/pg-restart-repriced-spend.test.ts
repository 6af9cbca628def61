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

/** restart-repriced-spend.test.ts on PostgreSQL: the newest reprice change the budgets hold is kept there too (schema v13). */
describe('a reprice made while serve was stopped, on PostgreSQL', () => {
  const stores: PostgresStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
  });

  it('alerts once at the next start: key budget $10, $7 spent, repriced to $8.50 fires 80 %; a further restart sends nothing', async () => {
    const store = await openPostgresStore(await pg.url('restart_repriced'), 'create');
    stores.push(store);
    const lines: string[] = [];
    const service = async () => {
      const keys = new KeyResolver(store, {});
      await keys.reload();
      return BudgetService.create({ store, keys, tagBudgets: [], timeZone: 'UTC', pricer: createPricer(), clock: () => at(NOW), log: (l) => lines.push(l) });
    };
    const secret = newMeteringKey();
    await store.keys.create({ name: 'k', prefix: keyPrefix(secret), hash: hashSecret(secret), budget: keyBudget(10, { alertAt: [0.8, 1] }), createdAt: at(NOW) });
    await postgresCallSink(store.db).write([makeCall(0, { ts: at('2026-11-20T10:00:00Z'), keyName: 'k', tags: {}, costNano: 7 * USD })]);
    await service();
    expect(lines).toEqual([]);
    expect(await store.budgets.repricesSeen()).toBe(0);

    await store.prices.reprice({ since: at('2026-11-01T00:00:00Z'), until: at(NOW), actor: 'me@host', clock: () => at(NOW), prices: 'test', price: () => ({ costNano: 8.5 * USD, priceSource: 'test' }) });
    const restarted = await service();
    expect(restarted.snapshot().find((s) => s.name === 'k')?.spentNano).toBe(8.5 * USD);
    expect(lines).toEqual([expect.stringContaining("key budget 'k' reached 80% of its limit ($8.50 of $10.00")]);
    // The alert row is written in the background: the next restart must find it (and no change left to replay).
    for (let i = 0; i < 50 && (await store.budgets.alerts()).length < 1; i++) await new Promise((r) => setTimeout(r, 20));
    await service();
    expect(lines).toHaveLength(1);
  });
});
