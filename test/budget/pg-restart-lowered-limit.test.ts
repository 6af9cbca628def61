import { afterAll, describe, expect, it } from 'vitest';
import type { PostgresStore } from '../../src/store/pg/pg-store.js';
import { pgDatabases } from '../support/pg-databases.js';
import { USD, keyBudget } from './helpers.js';
import { pgRestartWorld } from './pg-restart-world.js';

const pg = pgDatabases();

/** restart-lowered-limit.test.ts on PostgreSQL: the limits serve ran with are kept there too (schema v10). */
describe('a limit lowered while serve was stopped, on PostgreSQL', () => {
  const stores: PostgresStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
  });

  it('alerts once at the next start: $10 → $5 with $5 spent fires 80 % and 100 %; a further restart sends nothing', async () => {
    const { store, lines, start: service, alertRows } = await pgRestartWorld(pg, 'restart_lowered', 5);
    stores.push(store);
    await service();
    expect(lines).toEqual([]);
    expect((await store.budgets.budgetLimits()).map((r) => [r.kind, r.budget, r.limitNano, r.alertAt])).toEqual([['key', 'k', 10 * USD, [0.8, 1]]]);

    await store.keys.update('k', { budget: keyBudget(5, { alertAt: [0.8, 1] }) });
    await service();
    expect(lines).toEqual([expect.stringContaining("key budget 'k' reached 80% of its limit"), expect.stringContaining('reached 100%')]);
    expect((await store.budgets.budgetLimits()).map((r) => r.limitNano)).toEqual([5 * USD]);
    // The alert rows are written in the background: the next restart must find them (and the limit unchanged).
    await alertRows(2);
    await service();
    expect(lines).toHaveLength(2);
  });
});
