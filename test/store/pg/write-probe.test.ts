import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createPostgresRecordWriter, postgresCallSink } from '../../../src/store/pg/call-sink.js';
import { PG_MIGRATIONS, migratePostgres } from '../../../src/store/pg/migrations/index.js';
import type { WriteQueueError } from '../../../src/store/queue-health.js';
import { waitFor } from '../../support/proxy-harness.js';
import { pgDatabases } from '../../support/pg-databases.js';
import { makeCall } from '../fixtures.js';

/**
 * serve's PostgreSQL record writer tells whether the database takes writes now, with no
 * record to write: its sink's probe. The database turns read-only the way a failover to a
 * standby looks to the pool: its sessions end, and the new ones are read-only
 * (`ALTER DATABASE … SET default_transaction_read_only`, read by a session when it starts;
 * the setting is per database, so the other test files on this server are untouched).
 */

const pg = pgDatabases();

describe('the PostgreSQL write probe', () => {
  it('fails while the sessions are read-only and passes again after; the writer turns degraded and back with no record', { timeout: 20_000 }, async () => {
    const url = await pg.url('write_probe');
    const name = decodeURIComponent(new URL(url).pathname.slice(1));
    const db = pg.pool(url);
    await migratePostgres(db, PG_MIGRATIONS);
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    /** Sets the database read-only (or back), then ends every session but the admin's, as a failover does. */
    const readOnly = async (on: boolean) => {
      await admin.unsafe(`ALTER DATABASE "${name}" ${on ? 'SET default_transaction_read_only = on' : 'RESET default_transaction_read_only'}`);
      await admin.unsafe('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    };
    const errors: WriteQueueError[] = [];
    let recovered = 0;
    const writer = createPostgresRecordWriter(db, { flushIntervalMs: 20, maxRetryMs: 100, probeIntervalMs: 100, onError: (e) => errors.push(e), onRecover: () => recovered++ });
    try {
      const sink = postgresCallSink(db);
      await expect(sink.probe!()).resolves.toBeUndefined();
      await readOnly(true);
      await waitFor(() => writer.degraded, 5000, 'the read-only database to be noticed');
      expect(errors.map((e) => [e.kind, e.count])).toEqual([['retrying', 0]]);
      // Once the pool has its new (read-only) sessions, the probe fails as an insert would.
      let failure: unknown;
      for (let i = 0; i < 20 && (failure as { code?: unknown } | undefined)?.code !== '25006'; i++) failure = await sink.probe!().then(() => undefined, (err: unknown) => err);
      expect(failure).toMatchObject({ code: '25006', message: expect.stringMatching(/read-only transaction/) });
      await readOnly(false);
      await waitFor(() => !writer.degraded, 5000, 'the writable database to be noticed');
      expect(recovered).toBe(1);
      // The probe wrote nothing; a record is written as before.
      expect(Number((await db.get<{ value: number | string }>('SELECT value FROM tokometer_changes WHERE id = 1'))?.value)).toBe(0);
      writer.enqueue(makeCall(1));
      expect(await writer.flush()).toBe(true);
    } finally {
      await writer.drain();
      await admin.end({ timeout: 5 });
    }
  });
});
