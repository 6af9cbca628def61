import { afterAll } from 'vitest';
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

/** A PostgreSQL store with key budget `k` ($10, alerts at 80 % / 100 %) that spent `spentUsd` on 2026-11-20, and a serve start to run as often as a test restarts. */
export interface PgRestartWorld {
  store: PostgresStore;
  /** Every alert line the starts logged, in order. */
  lines: string[];
  /** Starts serve's budgets on the store (as a restart does). */
  start(): Promise<BudgetService>;
  /** Waits up to 1 s for `n` alert rows, which are written in the background. */
  alertRows(n: number): Promise<void>;
}

/**
 * For a test file (call at its top level, in place of pgDatabases): fresh PostgreSQL
 * databases, and an opener of a PgRestartWorld on a new one named after `database`. Every
 * world's store is closed after the file's tests, before the databases are dropped.
 */
export function pgRestartWorlds(): (database: string, spentUsd: number) => Promise<PgRestartWorld> {
  const pg = pgDatabases();
  const stores: PostgresStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
  });
  return async (database, spentUsd) => {
    const store = await openPostgresStore(await pg.url(database), 'create');
    stores.push(store);
    return pgRestartWorld(store, spentUsd);
  };
}

async function pgRestartWorld(store: PostgresStore, spentUsd: number): Promise<PgRestartWorld> {
  const lines: string[] = [];
  const start = async () => {
    const keys = new KeyResolver(store, {});
    await keys.reload();
    return BudgetService.create({ store, keys, tagBudgets: [], timeZone: 'UTC', pricer: createPricer(), clock: () => at(NOW), log: (l) => lines.push(l) });
  };
  const secret = newMeteringKey();
  await store.keys.create({ name: 'k', prefix: keyPrefix(secret), hash: hashSecret(secret), budget: keyBudget(10, { alertAt: [0.8, 1] }), createdAt: at(NOW) });
  await postgresCallSink(store.db).write([makeCall(0, { ts: at('2026-11-20T10:00:00Z'), keyName: 'k', tags: {}, costNano: spentUsd * USD })]);
  const alertRows = async (n: number) => {
    for (let i = 0; i < 50 && (await store.budgets.alerts()).length < n; i++) await new Promise((r) => setTimeout(r, 20));
  };
  return { store, lines, start, alertRows };
}
