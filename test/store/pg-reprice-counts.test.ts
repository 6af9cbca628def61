import { describe, expect, it } from 'vitest';
import { PG_MIGRATIONS, migratePostgres } from '../../src/store/pg/migrations/index.js';
import { openPostgresStore } from '../../src/store/pg/pg-store.js';
import { pgDatabases } from '../support/pg-databases.js';

/**
 * PostgreSQL's side of reprice-counts.test.ts: a reprice run a v18 build recorded (without
 * the counts of calls with a cost, schema v19) keeps its totals when migrated and reads its
 * counts as null.
 */
const pg = pgDatabases();
const T0 = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;

describe('PostgreSQL: reprice runs recorded before schema v19', () => {
  it('a database at v18 with a run keeps its totals when migrated, and reads its counts of calls with a cost as null', async () => {
    const url = await pg.url('reprice_counts');
    const db = pg.pool(url);
    expect(await migratePostgres(db, PG_MIGRATIONS.slice(0, 18))).toBe(18);
    await db.run(
      `INSERT INTO reprice_runs (actor, started_at, finished_at, since, until, model, prices, calls, changed, unpriced, old_total_nano, new_total_nano)
       VALUES ('me@host', ?, ?, ?, ?, NULL, 'overrides', 3, 2, 1, 100, 7000000)`,
      [T0 + DAY, T0 + DAY + 5, T0, T0 + DAY],
    );
    await db.run("INSERT INTO reprice_models (run_id, provider, model, calls, changed, old_total_nano, new_total_nano) VALUES (1, 'openai', 'gpt-4o', 2, 2, 100, 7000000)");
    const store = await openPostgresStore(url, 'create');
    try {
      expect(await store.prices.repriceRuns(10)).toEqual([
        {
          id: 1, actor: 'me@host', startedAt: T0 + DAY, finishedAt: T0 + DAY + 5, since: T0, until: T0 + DAY, model: null, prices: 'overrides',
          calls: 3, changed: 2, unpriced: 1, oldTotalNano: 100, newTotalNano: 7_000_000, oldPricedCalls: null, newPricedCalls: null,
          models: [{ provider: 'openai', model: 'gpt-4o', calls: 2, changed: 2, unpriced: 0, oldTotalNano: 100, newTotalNano: 7_000_000, oldPricedCalls: null, newPricedCalls: null }],
        },
      ]);
    } finally {
      await store.close();
    }
  });
});
