import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CALL_COLUMNS } from '../../src/store/call-row.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { prepareCall } from '../../src/store/pg/call-batch.js';
import { postgresCallSink, withCallId } from '../../src/store/pg/call-sink.js';
import { PG_LATEST_VERSION, PG_MIGRATIONS, migratePostgres, postgresSchemaVersion } from '../../src/store/pg/migrations/index.js';
import { ensureMonths, monthsOf } from '../../src/store/pg/partitions.js';
import { openPostgresStore } from '../../src/store/pg/pg-store.js';
import { addRollups } from '../../src/store/pg/rollup-batch.js';
import { utcMonthOf } from '../../src/store/rollup-policy.js';
import type { CallRecord } from '../../src/store/types.js';
import { callArb, queryArb } from '../report/rollup-arbitraries.js';
import { answers } from '../report/store-answers.js';
import { pgDatabases } from '../support/pg-databases.js';
import { testStore } from '../support/store.js';
import { snapshot } from './pg/snapshot.js';

/**
 * Migration v5 (tags only in calls.tags) on a database a v4 build wrote: tagged calls in
 * calls + call_tags with their rollups and entity rows, price snapshots and a reprice run,
 * shared budget rows. After `serve` opens it (which migrates): every call, tag, rollup row
 * and price or budget row is still there, the reports equal SQLite's for the same calls,
 * and a call stored before the migration is not written twice when replayed after it.
 */
const pg = pgDatabases();

const V4 = PG_MIGRATIONS.slice(0, 4);
/** The calls columns a v4 build wrote (the ones after service_tier came with v7). */
const V4_CALL_COLUMNS = CALL_COLUMNS.slice(0, CALL_COLUMNS.indexOf('service_tier') + 1);
const COLUMNS = ['call_uid', ...V4_CALL_COLUMNS];

/** Writes `calls` as a v4 build did: one transaction with the calls rows, a call_tags row per tag, and the rollups. */
async function writeAsV4(db: ReturnType<typeof pg.pool>, calls: readonly CallRecord[]): Promise<void> {
  await ensureMonths(db, monthsOf(calls.map((c) => c.ts)));
  const prepared = calls.map((c) => prepareCall(withCallId(c) as CallRecord & { callId: string }));
  await db.sql.begin(async (tx) => {
    for (const p of prepared) {
      const [row] = await tx.unsafe<Array<{ id: string }>>(
        `INSERT INTO calls (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
        [p.uid, ...p.params.slice(0, V4_CALL_COLUMNS.length)] as never[],
      );
      for (const [k, v] of p.rollup.tags) await tx.unsafe('INSERT INTO call_tags (call_id, ts, key, value) VALUES ($1, $2, $3, $4)', [row!.id, p.rollup.ts, k, v]);
    }
    await addRollups(tx, prepared.map((p) => p.rollup));
  });
}

/** The price and budget rows v2-v4 keep (none of which v5 touches), with a row in each. */
const OTHER_TABLES = ['price_snapshots', 'reprice_runs', 'reprice_models', 'reprice_spend', 'budget_shares', 'budget_leases'];

async function writeOtherRows(db: ReturnType<typeof pg.pool>, ts: number): Promise<void> {
  await db.run("INSERT INTO price_snapshots (origin, fetched_at, sha256, providers, models, forced, data) VALUES ('pinned', ?, 'ab12', 2, 3, 0, '{}')", [ts]);
  const run = await db.get<{ id: number }>(
    "INSERT INTO reprice_runs (actor, started_at, finished_at, since, until, model, prices, calls, changed, unpriced, old_total_nano, new_total_nano) VALUES ('cli', ?, ?, 0, ?, NULL, 'config', 5, 4, 1, 100, 120) RETURNING id",
    [ts, ts + 1, ts],
  );
  await db.run("INSERT INTO reprice_models (run_id, provider, model, calls, changed, old_total_nano, new_total_nano) VALUES (?, 'openai', 'gpt-4o', 5, 4, 100, 120)", [run!.id]);
  await db.run('INSERT INTO reprice_spend (run_id, ts, key_name, tags, delta_nano) VALUES (?, ?, \'app\', \'{"user_id":"u1"}\', 20)', [run!.id, ts - 5]);
  await db.run("INSERT INTO budget_shares (budget_id, period_start, kind, name, tag_value, spent_nano) VALUES ('key:app', ?, 'key', 'app', NULL, 4500)", [utcMonthOf(ts)]);
  await db.run("INSERT INTO budget_leases (budget_id, period_start, replica, lease_nano, expires_at) VALUES ('key:app', ?, 'r1', 300, ?)", [utcMonthOf(ts), ts + 5_000]);
}

async function otherRows(db: ReturnType<typeof pg.pool>): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of OTHER_TABLES) out[t] = await db.all(`SELECT * FROM ${t} ORDER BY 1, 2`);
  return out;
}

/** `rows` with each row cut to the columns the same table's first row in `like` has. */
function onColumnsOf(rows: Record<string, unknown[]>, like: Record<string, unknown[]>): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [table, list] of Object.entries(rows)) {
    const columns = Object.keys((like[table]?.[0] ?? {}) as object);
    out[table] = columns.length === 0 ? list : list.map((r) => Object.fromEntries(columns.map((c) => [c, (r as Record<string, unknown>)[c]])));
  }
  return out;
}

describe('PostgreSQL migration v5 (tags in calls.tags) on a v4 database with data', () => {
  it('keeps every call, tag, rollup, price and budget row; reports equal SQLite; a replayed call is not written twice', async () => {
    const calls = fc.sample(callArb, { numRuns: 300, seed: 16 });
    const tagged = calls.filter((c) => Object.keys(c.tags ?? {}).length > 0).length;
    expect(tagged).toBeGreaterThan(150);
    const url = await pg.url('v4to5');
    const db = pg.pool(url);
    expect(await migratePostgres(db, V4)).toBe(4);
    const stored = calls.map((c) => withCallId(c));
    await writeAsV4(db, stored.slice(0, 200));
    await writeAsV4(db, stored.slice(200));
    await writeOtherRows(db, Math.max(...calls.map((c) => c.ts)));
    // The v4 rows, tags from call_tags.
    const before = await snapshot((sql) => db.all(sql), 'call_tags');
    const tagRows = (before.tags ?? []).length;
    expect(tagRows).toBeGreaterThan(300);
    const others = await otherRows(db);

    const store = await openPostgresStore(url, 'create');
    try {
      expect(await postgresSchemaVersion(db)).toBe(PG_LATEST_VERSION);
      expect(PG_LATEST_VERSION).toBeGreaterThanOrEqual(5);
      expect((await db.get<{ t: string | null }>("SELECT to_regclass('call_tags')::text AS t"))?.t).toBeNull();
      expect(await snapshot((sql) => db.all(sql), 'postgres')).toEqual(before);
      // Columns later migrations add (budget_shares.reset_at, v9) are not the v4 rows' own.
      expect(onColumnsOf(await otherRows(db), others)).toEqual(others);
      const keys = new Set(calls.flatMap((c) => Object.keys(c.tags ?? {}).map((k) => `${utcMonthOf(c.ts)}|${k}`)));
      expect((await db.all<{ month: number; key: string }>('SELECT month, key FROM call_tag_keys')).map((r) => `${r.month}|${r.key}`).sort()).toEqual([...keys].sort());

      const lite = testStore(openDriver(':memory:'));
      try {
        lite.insertCalls(calls);
        const queries = fc.sample(queryArb(), { numRuns: 6, seed: 16 });
        let answered = 0;
        for (const q of queries) {
          const expected = await answers(lite, q);
          expect(await answers(store, q), JSON.stringify(q)).toEqual(expected);
          if (((expected.report as { total?: { calls?: number } }).total?.calls ?? 0) > 0) answered++;
        }
        expect(answered).toBeGreaterThan(1);
      } finally {
        await lite.close();
      }

      // Calls stored under v4 sent again (a spill replayed after the upgrade): skipped, once each.
      const sink = postgresCallSink(store.db);
      await sink.write(stored.slice(0, 50));
      expect(await snapshot((sql) => db.all(sql), 'postgres')).toEqual(before);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('refuses to drop call_tags when a row disagrees with calls.tags, leaving the database at v4', async () => {
    const db = pg.pool(await pg.url('v4mismatch'));
    await migratePostgres(db, V4);
    const [call] = fc.sample(callArb, { numRuns: 1, seed: 3 }).map((c) => ({ ...c, tags: { feature: 'chatbot' } }));
    await writeAsV4(db, [call!]);
    await db.run("UPDATE call_tags SET value = 'other'");
    await expect(migratePostgres(db, PG_MIGRATIONS)).rejects.toThrow(/call_tags row differs/);
    expect(await postgresSchemaVersion(db)).toBe(4);
    expect(await db.all('SELECT key, value FROM call_tags')).toEqual([{ key: 'feature', value: 'other' }]);
  });
});
