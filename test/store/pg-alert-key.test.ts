import { describe, expect, it } from 'vitest';
import { PG_MIGRATIONS, migratePostgres } from '../../src/store/pg/migrations/index.js';
import { openPostgresStore } from '../../src/store/pg/pg-store.js';
import type { AlertRecord } from '../../src/store/types.js';
import { pgDatabases } from '../support/pg-databases.js';

/**
 * PostgreSQL's side of alert-key.test.ts: one row per alert, however often it is written
 * (a replica retrying a write whose answer was lost, two replicas that saw one crossing),
 * and a database a v14 build left with duplicates keeps the earliest of each.
 */
const pg = pgDatabases();
const PERIOD = Date.UTC(2026, 11, 1);
const ALERT: AlertRecord = { kind: 'tag', budget: 'free', tagValue: null, threshold: 0.8, period: 'month', periodStart: PERIOD, armedFrom: PERIOD, spentNano: 8_000_000_000, limitNano: 10_000_000_000, soft: false, firedAt: PERIOD + 5_000 };

describe('PostgreSQL: one alert row per alert', () => {
  it('writing the same alert twice (a retry after a lost answer) leaves one row; the second write says it was not new', async () => {
    const store = await openPostgresStore(await pg.url('alert_twice'), 'create');
    try {
      const news: boolean[] = [];
      news.push(await store.budgets.recordAlert(ALERT));
      news.push(await store.budgets.recordAlert(ALERT));
      // The tag budget's shared instance above, a key budget here (both tag_value NULL): a second replica's write of the same crossing, 900 ms later.
      news.push(await store.budgets.recordAlert({ ...ALERT, kind: 'key', budget: 'app' }));
      news.push(await store.budgets.recordAlert({ ...ALERT, kind: 'key', budget: 'app', firedAt: ALERT.firedAt + 900 }));
      // After an admin reset at +7 s the threshold is armed again: its next crossing is another alert.
      news.push(await store.budgets.recordAlert({ ...ALERT, armedFrom: PERIOD + 7_000, firedAt: PERIOD + 9_000 }));
      expect((await store.budgets.alerts()).map((a) => [a.kind, a.budget, a.firedAt])).toEqual([['tag', 'free', PERIOD + 5_000], ['key', 'app', PERIOD + 5_000], ['tag', 'free', PERIOD + 9_000]]);
      expect(news).toEqual([true, false, true, false, true]);
    } finally {
      await store.close();
    }
  });

  it('a database at v14 with two rows of one alert keeps the earliest (fired_at) when migrated; other alerts (also one a reset re-armed) stay', async () => {
    const db = pg.pool(await pg.url('alert_dupes'));
    expect(await migratePostgres(db, PG_MIGRATIONS.slice(0, 14))).toBe(14);
    const insert = (tagValue: string, threshold: number, spentNano: number, limitNano: number, firedAt: number) =>
      db.run("INSERT INTO alerts (kind, budget, tag_value, threshold, period, period_start, spent_nano, limit_nano, soft, fired_at) VALUES ('tag', 'free', ?, ?, 'month', ?, ?, ?, 0, ?)", [
        tagValue,
        threshold,
        PERIOD,
        spentNano,
        limitNano,
        firedAt,
      ]);
    // Two replicas saw one crossing: 8.1 and 8.0 USD of 10 USD, the second one 700 ms earlier but written later.
    await insert('u1', 0.8, 8_100_000_000, 10_000_000_000, PERIOD + 5_700);
    await insert('u1', 0.8, 8_000_000_000, 10_000_000_000, PERIOD + 5_000);
    // Other alerts: another instance, another threshold, another limit (a raised limit re-arms).
    await insert('u2', 0.8, 8_000_000_000, 10_000_000_000, PERIOD + 6_000);
    await insert('u1', 1, 10_000_000_000, 10_000_000_000, PERIOD + 7_000);
    await insert('u1', 0.8, 16_000_000_000, 20_000_000_000, PERIOD + 8_000);
    // An admin reset of u1 re-armed its thresholds: its 80 % fired again after it, another alert.
    await db.run("INSERT INTO budget_resets (kind, budget, tag_value, all_values, period, period_start, reset_at, by) VALUES ('tag', 'free', 'u1', 0, 'month', ?, ?, 'admin')", [PERIOD, PERIOD + 8_500]);
    await insert('u1', 0.8, 8_000_000_000, 10_000_000_000, PERIOD + 9_000);
    await migratePostgres(db, PG_MIGRATIONS);
    const rows = await db.all<Record<string, unknown>>('SELECT tag_value, threshold, spent_nano, limit_nano, fired_at, armed_from - period_start AS armed FROM alerts ORDER BY fired_at');
    expect(rows.map((r) => [r['tag_value'], Number(r['threshold']), Number(r['spent_nano']), Number(r['limit_nano']), Number(r['fired_at']), Number(r['armed'])])).toEqual([
      ['u1', 0.8, 8_000_000_000, 10_000_000_000, PERIOD + 5_000, 0],
      ['u2', 0.8, 8_000_000_000, 10_000_000_000, PERIOD + 6_000, 0],
      ['u1', 1, 10_000_000_000, 10_000_000_000, PERIOD + 7_000, 0],
      ['u1', 0.8, 16_000_000_000, 20_000_000_000, PERIOD + 8_000, 0],
      ['u1', 0.8, 8_000_000_000, 10_000_000_000, PERIOD + 9_000, 8_500],
    ]);
  });
});
