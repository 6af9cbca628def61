import { describe, expect, it } from 'vitest';
import { SchemaVersionError } from '../../src/store/migrations/runner.js';
import { PG_LATEST_VERSION, PG_MIGRATIONS, migratePostgres, postgresSchemaVersion } from '../../src/store/pg/migrations/index.js';
import { dropMonthsBefore, ensureMonths, ensureMonthsAhead, partitionMonths } from '../../src/store/pg/partitions.js';
import { createPostgresRecordWriter } from '../../src/store/pg/call-sink.js';
import { callTagKeys } from '../../src/store/read/tag-keys.js';
import { budgetLeaseStore } from '../../src/store/budget-leases.js';
import type { PostgresDb } from '../../src/store/drivers/postgres.js';
import { pgDatabases } from '../support/pg-databases.js';
import { tagRowsSql } from '../support/tag-rows.js';
import { makeCall } from './fixtures.js';

const pg = pgDatabases();
const freshUrl = (label: string) => pg.url(label);
const pool = (url: string) => pg.pool(url);

const MAY_2026 = Date.UTC(2026, 4, 1);
const JUNE_2026 = Date.UTC(2026, 5, 1);

describe('PostgreSQL migrations', () => {
  it('migrate brings an empty database to the latest version once; a second run changes nothing', async () => {
    const db = pool(await freshUrl('migrate'));
    expect(await postgresSchemaVersion(db)).toBe(0);
    expect(await migratePostgres(db, PG_MIGRATIONS, { now: 123 })).toBe(PG_LATEST_VERSION);
    expect(await migratePostgres(db, PG_MIGRATIONS)).toBe(PG_LATEST_VERSION);
    expect(await db.all('SELECT version, name, applied_at FROM tokometer_schema ORDER BY version')).toEqual(
      PG_MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: 123 })),
    );
    const tables = (await db.all<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).map((r) => r.t);
    for (const t of ['calls', 'call_tag_keys', 'keys', 'alerts', 'budget_resets', 'key_events', 'rollups', 'rollup_dims', 'entity_months', 'entity_counts', 'tag_keys', 'tag_key_days', 'rollup_state', 'latency_buckets']) {
      expect(tables).toContain(t);
    }
  });

  it('replicas starting together: eight pools migrating at once apply each migration exactly once, none fails', async () => {
    const url = await freshUrl('race');
    const dbs = Array.from({ length: 8 }, () => pool(url));
    const versions = await Promise.all(dbs.map((db) => migratePostgres(db, PG_MIGRATIONS)));
    expect(versions).toEqual(dbs.map(() => PG_LATEST_VERSION));
    expect((await dbs[0]!.get<{ n: number }>('SELECT COUNT(*) AS n FROM tokometer_schema'))?.n).toBe(PG_LATEST_VERSION);
    expect((await dbs[0]!.get<{ n: number }>('SELECT COUNT(*) AS n FROM latency_buckets'))?.n).toBeGreaterThan(200);
  });

  it('a database newer than this build is refused; a read-only open with pending migrations says what to do', async () => {
    const db = pool(await freshUrl('versions'));
    await expect(migratePostgres(db, PG_MIGRATIONS, { readonly: true })).rejects.toThrow(/needs v\d+; run `tokometer serve`/);
    await migratePostgres(db, PG_MIGRATIONS);
    await db.run("INSERT INTO tokometer_schema (version, name, applied_at) VALUES (99, 'future', 0)");
    const err = await migratePostgres(db, PG_MIGRATIONS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaVersionError);
    expect((err as Error).message).toMatch(/v99, newer than this tokometer/);
  });

  it('v5 keeps the tags of calls stored under v1 (call_tags) readable, and registers their keys per month', async () => {
    const db = pool(await freshUrl('v1to2'));
    await migratePostgres(db, PG_MIGRATIONS.slice(0, 1));
    await ensureMonths(db, [MAY_2026, JUNE_2026]);
    for (const [ts, tags] of [[MAY_2026 + 1, { team: 'a', may: 'x' }], [JUNE_2026 + 1, { team: 'b' }], [JUNE_2026 + 2, {}]] as const) {
      const row = await db.get<{ id: number }>(
        "INSERT INTO calls (call_uid, ts, provider, endpoint, status, outcome, streamed, usage_source, latency_ms, prompt_bytes, tags) VALUES (gen_random_uuid(), ?, 'openai', 'chat', 200, 'ok', 0, 'reported', 1, 0, ?) RETURNING id",
        [ts, JSON.stringify(tags)],
      );
      for (const [k, v] of Object.entries(tags)) await db.run('INSERT INTO call_tags (call_id, ts, key, value) VALUES (?, ?, ?, ?)', [row!.id, ts, k, v]);
    }
    expect(await migratePostgres(db, PG_MIGRATIONS)).toBe(PG_LATEST_VERSION);
    expect(await db.all(`${tagRowsSql('postgres')} ORDER BY c.ts, t.key`)).toEqual([
      { ts: MAY_2026 + 1, key: 'may', value: 'x' },
      { ts: MAY_2026 + 1, key: 'team', value: 'a' },
      { ts: JUNE_2026 + 1, key: 'team', value: 'b' },
    ]);
    expect(await db.all('SELECT month, key FROM call_tag_keys ORDER BY month, key')).toEqual([
      { month: MAY_2026, key: 'may' },
      { month: MAY_2026, key: 'team' },
      { month: JUNE_2026, key: 'team' },
    ]);
    expect((await db.get<{ t: string | null }>("SELECT to_regclass('call_tags')::text AS t"))?.t).toBeNull();
    // The month function no longer makes call_tags partitions.
    await ensureMonths(db, [Date.UTC(2026, 6, 1)]);
    expect(await partitionMonths(db)).toEqual([MAY_2026, JUNE_2026, Date.UTC(2026, 6, 1)]);
  });

  it('a failing migration leaves the database at the previous version', async () => {
    const db = pool(await freshUrl('broken'));
    const broken = [...PG_MIGRATIONS, { version: PG_LATEST_VERSION + 1, name: 'broken', up: 'CREATE TABLE ok_table (x INT); SELECT no_such_function();' }];
    await expect(migratePostgres(db, broken)).rejects.toThrow(/no_such_function/);
    expect(await postgresSchemaVersion(db)).toBe(0);
    expect((await db.get<{ t: string | null }>("SELECT to_regclass('ok_table')::text AS t"))?.t).toBeNull();
  });

  it('v3 → v4 keeps the shared budget rows; their spend then moves by repriced calls once', async () => {
    const db = pool(await freshUrl('v3-v4'));
    await migratePostgres(db, PG_MIGRATIONS.slice(0, 3));
    await db.run("INSERT INTO budget_shares (budget_id, period_start, kind, name, tag_value, spent_nano) VALUES ('b', 0, 'key', 'k', NULL, 700)");
    expect(await migratePostgres(db, PG_MIGRATIONS)).toBe(PG_LATEST_VERSION);
    const leases = budgetLeaseStore(db as PostgresDb);
    const ref = { id: 'b', kind: 'key' as const, name: 'k', tagValue: null, periodStart: 0 };
    const request = { replica: 'r', limitNano: 1000, seedNano: 0, reportedNano: 0, floorNano: 0, needNano: 0, wantNano: 0, inFlightNano: 0, ttlMs: 1000, contendMs: 10 };
    expect((await leases.sync(ref, { ...request, reprices: [[1, 50]] })).spentNano).toBe(750);
    expect((await leases.sync(ref, { ...request, replica: 's', reprices: [[1, 50]] })).spentNano).toBe(750);
  });

  it('tokometer_merge_hist sums two histogram texts per bucket, ascending', async () => {
    const db = pool(await freshUrl('hist'));
    await migratePostgres(db, PG_MIGRATIONS);
    const merge = async (a: string, b: string) => (await db.get<{ h: string }>('SELECT tokometer_merge_hist(?, ?) AS h', [a, b]))?.h;
    expect(await merge('[3,2,10,1]', '[1,5,10,4,200,1]')).toBe('[1,5,3,2,10,5,200,1]');
    expect(await merge('[]', '[7,1]')).toBe('[7,1]');
    expect(await merge('[]', '[]')).toBe('[]');
  });
});

describe('PostgreSQL partitions of the call log', () => {
  it('a call in a month without a partition is refused until the month is created; months ahead are created from now', async () => {
    const db = pool(await freshUrl('partitions'));
    await migratePostgres(db, PG_MIGRATIONS);
    const insert = (ts: number) =>
      db.run(
        "INSERT INTO calls (call_uid, ts, provider, endpoint, status, outcome, streamed, usage_source, latency_ms, prompt_bytes) VALUES (gen_random_uuid(), ?, 'openai', 'chat', 200, 'ok', 0, 'reported', 1, 0)",
        [ts],
      );
    await expect(insert(MAY_2026 + 5)).rejects.toMatchObject({ code: '23514' });
    await ensureMonths(db, [MAY_2026]);
    await ensureMonths(db, [MAY_2026]); // idempotent
    await insert(MAY_2026 + 5);
    await expect(ensureMonths(db, [MAY_2026 + 1])).rejects.toThrow(/not the start of a UTC month/);

    await ensureMonthsAhead(db, Date.UTC(2026, 11, 15));
    expect(await partitionMonths(db)).toEqual([MAY_2026, Date.UTC(2026, 11, 1), Date.UTC(2027, 0, 1), Date.UTC(2027, 1, 1)]);
  });

  it('retention drops whole months that end at or before the cutoff, with the tag keys of those months', async () => {
    const db = pool(await freshUrl('drop'));
    await migratePostgres(db, PG_MIGRATIONS);
    await ensureMonths(db, [MAY_2026, JUNE_2026]);
    const writer = createPostgresRecordWriter(db);
    for (const [ts, tags] of [[MAY_2026 + 1, { team: 'a', may: 'x' }], [MAY_2026 + 2, { team: 'b' }], [JUNE_2026 + 1, { team: 'a' }]] as const) writer.enqueue(makeCall(0, { ts, tags }));
    expect(await writer.flush()).toBe(true);
    await writer.drain();
    expect(await callTagKeys(db)).toEqual(['may', 'team']);
    expect(await dropMonthsBefore(db, JUNE_2026 + 10 * 86_400_000)).toEqual({ months: [MAY_2026], calls: 2 });
    expect(await partitionMonths(db)).toEqual([JUNE_2026]);
    expect(await callTagKeys(db)).toEqual(['team']);
    expect(await dropMonthsBefore(db, JUNE_2026 + 10 * 86_400_000)).toEqual({ months: [], calls: 0 });
  });

});
