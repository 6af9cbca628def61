import { afterEach, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations/index.js';
import type { AlertRecord, SqlDriver } from '../../src/store/types.js';
import { testStore } from '../support/store.js';

/**
 * An alert is one threshold crossing of one budget instance in one period (under one limit,
 * since the period start or the instance's last admin reset). Stored once: a write retried
 * after its answer was lost (budget/alert-records.ts writes a refused alert again every
 * 5 s) or the same crossing seen by two replicas leaves one row (SQLite here; PostgreSQL:
 * pg-alert-key.test.ts).
 */
const PERIOD = Date.UTC(2026, 11, 1);
const ALERT: AlertRecord = { kind: 'tag', budget: 'free', tagValue: null, threshold: 0.8, period: 'month', periodStart: PERIOD, armedFrom: PERIOD, spentNano: 8_000_000_000, limitNano: 10_000_000_000, soft: false, firedAt: PERIOD + 5_000 };

describe('SQLite: one alert row per alert', () => {
  const drivers: SqlDriver[] = [];
  afterEach(() => {
    while (drivers.length > 0) drivers.pop()!.close();
  });
  const open = () => {
    const driver = openDriver(':memory:');
    drivers.push(driver);
    return driver;
  };

  it('writing the same alert twice (a retry after a lost answer) leaves one row; the second write says it was not new', async () => {
    const store = testStore(open());
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
  });

  it('a database at v19 with two rows of one alert keeps the earliest (fired_at) when migrated; other alerts (also one a reset re-armed) stay', () => {
    const driver = open();
    migrate(driver, MIGRATIONS.slice(0, 19));
    const insert = driver.prepare(
      'INSERT INTO alerts (kind, budget, tag_value, threshold, period, period_start, spent_nano, limit_nano, soft, fired_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)',
    );
    // Two replicas saw one crossing: 8.1 and 8.0 USD of 10 USD, the second one 700 ms earlier but written later.
    insert.run('tag', 'free', 'u1', 0.8, 'month', PERIOD, 8_100_000_000, 10_000_000_000, PERIOD + 5_700);
    insert.run('tag', 'free', 'u1', 0.8, 'month', PERIOD, 8_000_000_000, 10_000_000_000, PERIOD + 5_000);
    // Other alerts: another instance, another threshold, another limit (a raised limit re-arms).
    insert.run('tag', 'free', 'u2', 0.8, 'month', PERIOD, 8_000_000_000, 10_000_000_000, PERIOD + 6_000);
    insert.run('tag', 'free', 'u1', 1, 'month', PERIOD, 10_000_000_000, 10_000_000_000, PERIOD + 7_000);
    insert.run('tag', 'free', 'u1', 0.8, 'month', PERIOD, 16_000_000_000, 20_000_000_000, PERIOD + 8_000);
    // An admin reset of u1 re-armed its thresholds: its 80 % fired again after it, another alert.
    driver.prepare("INSERT INTO budget_resets (kind, budget, tag_value, all_values, period, period_start, reset_at, by) VALUES ('tag', 'free', 'u1', 0, 'month', ?, ?, 'admin')").run(PERIOD, PERIOD + 8_500);
    insert.run('tag', 'free', 'u1', 0.8, 'month', PERIOD, 8_000_000_000, 10_000_000_000, PERIOD + 9_000);
    migrate(driver, MIGRATIONS);
    const rows = driver.prepare('SELECT tag_value, threshold, spent_nano, limit_nano, fired_at, armed_from - period_start AS armed FROM alerts ORDER BY fired_at').all();
    expect(rows).toEqual([
      { tag_value: 'u1', threshold: 0.8, spent_nano: 8_000_000_000, limit_nano: 10_000_000_000, fired_at: PERIOD + 5_000, armed: 0 },
      { tag_value: 'u2', threshold: 0.8, spent_nano: 8_000_000_000, limit_nano: 10_000_000_000, fired_at: PERIOD + 6_000, armed: 0 },
      { tag_value: 'u1', threshold: 1, spent_nano: 10_000_000_000, limit_nano: 10_000_000_000, fired_at: PERIOD + 7_000, armed: 0 },
      { tag_value: 'u1', threshold: 0.8, spent_nano: 16_000_000_000, limit_nano: 20_000_000_000, fired_at: PERIOD + 8_000, armed: 0 },
      { tag_value: 'u1', threshold: 0.8, spent_nano: 8_000_000_000, limit_nano: 10_000_000_000, fired_at: PERIOD + 9_000, armed: 8_500 },
    ]);
  });
});
