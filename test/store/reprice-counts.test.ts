import { afterEach, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations/index.js';
import type { SqlDriver } from '../../src/store/types.js';
import { testStore } from '../support/store.js';

/**
 * Schema v24 keeps how many calls of a reprice run (and of each of its models) had a cost
 * before and have one after, so `prices history` tells an unknown cost from $0. A run an
 * older build recorded has no such counts: migrated, it reads them as null, not as a guess
 * (SQLite here; PostgreSQL v19: pg-reprice-counts.test.ts). A new run's counts: the store
 * contract (contract-prices.ts).
 */
const T0 = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;

describe('SQLite: reprice runs recorded before schema v24', () => {
  const drivers: SqlDriver[] = [];
  afterEach(() => {
    while (drivers.length > 0) drivers.pop()!.close();
  });

  it('a database at v23 with a run keeps its totals when migrated, and reads its counts of calls with a cost as null', async () => {
    const driver = openDriver(':memory:');
    drivers.push(driver);
    migrate(driver, MIGRATIONS.slice(0, 23));
    driver
      .prepare(
        `INSERT INTO reprice_runs (actor, started_at, finished_at, since, until, model, prices, calls, changed, unpriced, old_total_nano, new_total_nano)
         VALUES ('me@host', ?, ?, ?, ?, NULL, 'overrides', 3, 2, 1, 100, 7000000)`,
      )
      .run(T0 + DAY, T0 + DAY + 5, T0, T0 + DAY);
    driver.prepare("INSERT INTO reprice_models (run_id, provider, model, calls, changed, old_total_nano, new_total_nano) VALUES (1, 'openai', 'gpt-4o', 2, 2, 100, 7000000)").run();
    const store = testStore(driver);
    expect(await store.prices.repriceRuns(10)).toEqual([
      {
        id: 1, actor: 'me@host', startedAt: T0 + DAY, finishedAt: T0 + DAY + 5, since: T0, until: T0 + DAY, model: null, prices: 'overrides',
        calls: 3, changed: 2, unpriced: 1, oldTotalNano: 100, newTotalNano: 7_000_000, oldPricedCalls: null, newPricedCalls: null,
        models: [{ provider: 'openai', model: 'gpt-4o', calls: 2, changed: 2, unpriced: 0, oldTotalNano: 100, newTotalNano: 7_000_000, oldPricedCalls: null, newPricedCalls: null }],
      },
    ]);
  });
});
