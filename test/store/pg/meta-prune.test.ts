import { describe, expect, it } from 'vitest';
import { postgresCallSink } from '../../../src/store/pg/call-sink.js';
import { storeMeta } from '../../../src/store/meta.js';
import { postgresMeta } from '../../../src/store/pg/meta.js';
import { partitionMonths } from '../../../src/store/pg/partitions.js';
import { pruneMonths } from '../../../src/store/pg/prune.js';
import { record } from '../../report/dataset.js';
import { pgDatabases } from '../../support/pg-databases.js';

const pg = pgDatabases();
const freshPg = (label: string) => pg.db(label);

const month = (y: number, m: number) => Date.UTC(y, m - 1, 1);

describe('PostgreSQL store meta', () => {
  it('the keys token grows with each change to keys, budget resets and the key history, not with calls; the change counter grows with calls too', async () => {
    const db = await freshPg('meta');
    const meta = postgresMeta(db);
    const { changeToken } = storeMeta(db);
    const t0 = await changeToken();
    const c0 = await meta.changeCounter();
    await db.run("INSERT INTO keys (name, prefix, hash, created_at) VALUES ('a', 'mk_a', 'h1', 1)");
    const t1 = await changeToken();
    expect(t1).toBeGreaterThan(t0);
    await db.run("UPDATE keys SET revoked_at = 2 WHERE name = 'a'");
    await db.run("INSERT INTO key_events (ts, actor, action, key_name) VALUES (1, 'cli', 'revoke', 'a')");
    await db.run("INSERT INTO budget_resets (kind, budget, period, period_start, reset_at, by) VALUES ('key', 'a', 'month', 0, 1, 'cli')");
    const t2 = await changeToken();
    expect(t2).toBeGreaterThanOrEqual(t1 + 3);
    const c1 = await meta.changeCounter();
    expect(c1).toBeGreaterThan(c0);
    await postgresCallSink(db).write([record({ at: Date.UTC(2026, 4, 3) })]);
    expect(await changeToken()).toBe(t2);
    expect(await meta.changeCounter()).toBeGreaterThan(c1);
  });

  it('the application id round-trips and is 0 when never set', async () => {
    const meta = postgresMeta(await freshPg('appid'));
    expect(await meta.applicationId()).toBe(0);
    await meta.setApplicationId(0x746b6d31);
    expect(await meta.applicationId()).toBe(0x746b6d31);
    await expect(meta.setApplicationId(2 ** 40)).rejects.toThrow(/32-bit/);
  });
});

describe('PostgreSQL retention', () => {
  it('drops whole months before the month of now − retention, raises raw_since to that month, keeps rollups and entity rows, and creates the months ahead', async () => {
    const db = await freshPg('prune');
    const sink = postgresCallSink(db);
    await sink.write([
      record({ at: Date.UTC(2026, 2, 20), tags: { user_id: 'u1' } }),
      record({ at: Date.UTC(2026, 3, 2), tags: { user_id: 'u1' } }),
      record({ at: Date.UTC(2026, 4, 5), tags: { user_id: 'u2' } }),
    ]);
    const rollupsBefore = await db.all('SELECT * FROM rollups ORDER BY dim_id, hour');
    const entitiesBefore = await db.all('SELECT * FROM entity_months ORDER BY key, seg_key, month, seg_value, value');
    // 30 days before May 10 is April 10: April stays whole, March goes.
    const now = Date.UTC(2026, 4, 10, 12);
    expect(await pruneMonths(db, 30, now)).toEqual({ cutoff: month(2026, 4), calls: 1, done: true });
    expect((await db.all<{ ts: number }>('SELECT ts FROM calls ORDER BY ts')).map((r) => r.ts)).toEqual([Date.UTC(2026, 3, 2), Date.UTC(2026, 4, 5)]);
    expect((await db.get<{ value: number }>("SELECT value FROM rollup_state WHERE name = 'raw_since'"))?.value).toBe(month(2026, 4));
    expect(await db.all('SELECT * FROM rollups ORDER BY dim_id, hour')).toEqual(rollupsBefore);
    expect(await db.all('SELECT * FROM entity_months ORDER BY key, seg_key, month, seg_value, value')).toEqual(entitiesBefore);
    expect(await partitionMonths(db)).toEqual([month(2026, 4), month(2026, 5), month(2026, 6), month(2026, 7)]);
    await expect(pruneMonths(db, 0, now)).rejects.toThrow(RangeError);
  });
});
