import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openDriver } from '../../../src/store/drivers/better-sqlite3.js';
import type { PostgresDb } from '../../../src/store/drivers/postgres.js';
import { createPostgresRecordWriter, postgresCallSink, withCallId } from '../../../src/store/pg/call-sink.js';
import { PG_MIGRATIONS, migratePostgres } from '../../../src/store/pg/migrations/index.js';
import { MAX_TAG_VALUES_PER_DAY } from '../../../src/store/rollup-policy.js';
import { createCallWriter } from '../../../src/store/call-writer.js';
import type { CallRecord } from '../../../src/store/types.js';
import { callArb, T0 } from '../../report/rollup-arbitraries.js';
import { record } from '../../report/dataset.js';
import { pgDatabases } from '../../support/pg-databases.js';
import { snapshot } from './snapshot.js';

const pg = pgDatabases();
const dirs: string[] = [];

async function freshPg(label: string): Promise<{ url: string; db: PostgresDb }> {
  const url = await pg.url(label);
  const db = pg.pool(url);
  await migratePostgres(db, PG_MIGRATIONS);
  return { url, db };
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The same batches through the SQLite store, snapshotted. */
async function sqliteSnapshot(batches: readonly (readonly CallRecord[])[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-pgcmp-'));
  dirs.push(dir);
  const driver = openDriver(path.join(dir, 'cmp.db'));
  const writer = createCallWriter(driver);
  for (const batch of batches) writer.insertCalls(batch);
  const snap = await snapshot(async (sql) => driver.prepare(sql).all<Record<string, unknown>>(), 'sqlite');
  writer.close();
  return snap;
}

const pgSnapshot = (db: PostgresDb) => snapshot((sql) => db.all(sql), 'postgres');

function chunks<T>(xs: readonly T[], sizes: readonly number[]): T[][] {
  const out: T[][] = [];
  let i = 0;
  for (let k = 0; i < xs.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length]!);
    out.push(xs.slice(i, i + n));
    i += n;
  }
  return out;
}

describe('PostgreSQL record sink', () => {
  it('property: random calls in random batches leave the same calls, tags, rollups, entity rows and tag state as the SQLite store', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(callArb, { minLength: 40, maxLength: 300 }), fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 5 }), async (calls, sizes) => {
        const batches = chunks(calls, sizes);
        const { db } = await freshPg('prop');
        const sink = postgresCallSink(db);
        for (const batch of batches) await sink.write(batch);
        expect(await pgSnapshot(db)).toEqual(await sqliteSnapshot(batches));
        await db.close();
      }),
      { numRuns: 10 },
    );
  });

  it('a tag key past the per-day value limit is demoted on both stores alike (its rollup rows go, raw rows stay)', async () => {
    const many = Array.from({ length: MAX_TAG_VALUES_PER_DAY + 5 }, (_, i) => record({ at: T0 + i * 1000, tags: { prompt_id: `p${i}`, feature: 'chat' } }));
    const batches = chunks(many, [400]);
    const { db } = await freshPg('cardinality');
    const sink = postgresCallSink(db);
    for (const batch of batches) await sink.write(batch);
    const pg = await pgSnapshot(db);
    expect(pg.tag_keys).toContainEqual({ key: 'prompt_id', rolled_up: 0, reason: 'cardinality', changed_at: expect.any(Number) });
    expect(pg.rollup_dims!.filter((d) => d.tag_key === 'prompt_id')).toEqual([]);
    expect(pg).toEqual(await sqliteSnapshot(batches));
  });

  it('a replayed record (same call id) is never written or rolled up twice, also mixed with new ones', async () => {
    const { db } = await freshPg('replay');
    const sink = postgresCallSink(db);
    const calls = Array.from({ length: 20 }, (_, i) => withCallId(record({ at: T0 + i * 60_000, tags: { user_id: `u${i % 3}`, feature: 'x' } })));
    await sink.write(calls.slice(0, 12));
    const once = await pgSnapshot(db);
    await sink.write(calls.slice(0, 12));
    expect(await pgSnapshot(db)).toEqual(once);
    await sink.write(calls.slice(6)); // 6 seen, 8 new
    expect(await pgSnapshot(db)).toEqual(await sqliteSnapshot([calls.slice(0, 12), calls.slice(12)]));
    expect((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM calls'))?.n).toBe(20);
  });

  it('two writers on one database at once add up exactly (no lost update of shared rollup rows)', async () => {
    const { url, db } = await freshPg('concurrent');
    const other = pg.pool(url);
    const calls = Array.from({ length: 600 }, (_, i) => record({ at: T0 + (i % 50) * 1000, latency: 10 + (i % 7), tags: { user_id: `u${i % 9}`, feature: ['a', 'b'][i % 2]! } }));
    const a = postgresCallSink(db);
    const b = postgresCallSink(other);
    const halves = [calls.filter((_, i) => i % 2 === 0), calls.filter((_, i) => i % 2 === 1)];
    await Promise.all([
      (async () => {
        for (const batch of chunks(halves[0]!, [25])) await a.write(batch);
      })(),
      (async () => {
        for (const batch of chunks(halves[1]!, [25])) await b.write(batch);
      })(),
    ]);
    const snap = await pgSnapshot(db);
    const one = await sqliteSnapshot([calls]);
    // Everything but the tag keys' changed_at (the first batch to see a key sets it) matches one writer's result.
    expect({ ...snap, tag_keys: snap.tag_keys!.map(({ changed_at: _, ...k }) => k) }).toEqual({ ...one, tag_keys: one.tag_keys!.map(({ changed_at: _, ...k }) => k) });
  });

  it('a record no store can keep is rejected alone; the rest of its batch is written', async () => {
    const { db } = await freshPg('reject');
    const errors: string[] = [];
    const writer = createPostgresRecordWriter(db, { onError: (e) => errors.push(e.kind) });
    writer.enqueue(record({ at: T0 }));
    writer.enqueue({ ...record({ at: T0 + 1 }), latencyMs: 'slow' as unknown as number });
    writer.enqueue(record({ at: T0 + 2, tags: { feature: 'ok' } }));
    expect(await writer.flush()).toBe(true);
    expect(errors).toEqual(['rejected']);
    expect((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM calls'))?.n).toBe(2);
    await writer.drain();
  });

  it('a tag jsonb cannot hold (a NUL, a lone surrogate) is rejected with its record; every stored row reads back as jsonb', async () => {
    const { db } = await freshPg('jsonb');
    const errors: string[] = [];
    const writer = createPostgresRecordWriter(db, { onError: (e) => errors.push(`${e.kind}: ${(e.cause as Error).message}`) });
    writer.enqueue(record({ at: T0, tags: { feature: 'a' } }));
    writer.enqueue(record({ at: T0 + 1, tags: { feature: 'x\u0000y' } }));
    writer.enqueue(record({ at: T0 + 2, tags: { ['k\ud800']: 'v' } }));
    writer.enqueue(record({ at: T0 + 3, tags: { feature: 'b\\u0000', emoji: '\ud83d\ude00', ctl: '\u0001' } }));
    expect(await writer.flush()).toBe(true);
    expect(errors).toEqual(['rejected: invalid call record: tags.feature = "x\\u0000y"', 'rejected: invalid call record: tags.k\ud800 = "v"']);
    const rows = await db.all<{ tags: string }>("SELECT tags::jsonb::text AS tags FROM calls ORDER BY ts");
    expect(rows.map((r) => JSON.parse(r.tags))).toEqual([{ feature: 'a' }, { feature: 'b\\u0000', emoji: '\ud83d\ude00', ctl: '\u0001' }]);
    await writer.drain();
  });

  it('a call id twice in one batch is written and rolled up once', async () => {
    const { db } = await freshPg('twice');
    const [a, b] = [withCallId(record({ at: T0, tags: { user_id: 'u1', feature: 'x' } })), withCallId(record({ at: T0 + 5, tags: { feature: 'y' } }))];
    await postgresCallSink(db).write([a!, b!, a!]);
    expect(await pgSnapshot(db)).toEqual(await sqliteSnapshot([[a!, b!]]));
  });

  it('the writer stamps each record with a call id once and writes batches past one flush interval', async () => {
    const { db } = await freshPg('writer');
    const writer = createPostgresRecordWriter(db, { batchSize: 100, flushIntervalMs: 20 });
    for (let i = 0; i < 1234; i++) writer.enqueue(record({ at: T0 + i, tags: { n: String(i % 5) } }));
    expect(writer.pending).toBeGreaterThan(0);
    expect(await writer.flush()).toBe(true);
    expect(writer.pending).toBe(0);
    const row = await db.get<{ n: number; ids: number }>('SELECT COUNT(*) AS n, COUNT(DISTINCT call_uid) AS ids FROM calls');
    expect(row).toEqual({ n: 1234, ids: 1234 });
    await writer.drain();
  });
});
