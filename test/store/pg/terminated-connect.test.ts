import { describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { openPostgresDb } from '../../../src/store/drivers/postgres.js';
import { pgDatabases } from '../../support/pg-databases.js';

/**
 * A connection of serve's pool cut by the server while it is being set up (a failover, a
 * pooler or an operator terminating backends, PostgreSQL shutting down): the statement
 * waiting for it fails or is retried, and nothing else happens. An unhandled promise
 * rejection ends a Node process (serve has no handler for one), so the pool must never
 * leave one, whatever moment the connection is cut at.
 */

const pg = pgDatabases();

describe('a pool connection terminated while it connects', () => {
  it('leaves no unhandled promise rejection', async () => {
    const url = await pg.url('terminated');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const db = openPostgresDb(url, { applicationName: 'cut_at_connect', max: 4 });
    const killer = postgres(url, { max: 1, onnotice: () => {} });
    let stop = false;
    const killing = (async () => {
      while (!stop) {
        await killer`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'cut_at_connect'`;
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    try {
      const deadline = Date.now() + 4000;
      while (Date.now() < deadline && unhandled.length === 0) {
        // Bounded: under a loaded machine a statement may wait long for a new connection; the
        // loop still ends at its deadline (the pool's close ends what is left).
        const round = Promise.all(Array.from({ length: 4 }, () => db.get('SELECT 1 AS one').catch(() => undefined)));
        await Promise.race([round, new Promise((r) => setTimeout(r, 2000))]);
      }
    } finally {
      stop = true;
      await killing;
      await killer.end({ timeout: 5 });
      await db.close().catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled.map((e) => `${(e as Error).message} (${String((e as { query?: unknown }).query ?? '').trim().split('\n')[0]})`)).toEqual([]);
  }, 90_000);
});
