import { afterEach, describe, expect, it } from 'vitest';
import { createCallWriter } from '../../src/store/call-writer.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { MEASURE_COLUMNS } from '../../src/store/measures.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations/index.js';
import { minuteOf } from '../../src/store/rollup-policy.js';
import type { SqlDriver } from '../../src/store/types.js';
import { record } from '../report/dataset.js';

/**
 * Schema v10: entity_months.first_minute / last_minute are the UTC minutes of first_ts /
 * last_ts, the columns its time indexes are on. The writer sets them on insert; triggers
 * move them when an update moves first_ts or last_ts to another minute, whoever wrote it.
 */

interface EntityRow {
  seg_key: string;
  first_ts: number;
  last_ts: number;
  first_minute: number;
  last_minute: number;
  calls: number;
}

const open: SqlDriver[] = [];
afterEach(() => {
  for (const d of open.splice(0)) d.close();
});

function driverAt(version: number): SqlDriver {
  const driver = openDriver(':memory:');
  open.push(driver);
  migrate(driver, MIGRATIONS.slice(0, version));
  return driver;
}

const rows = (driver: SqlDriver, value: string) =>
  driver.prepare("SELECT seg_key, first_ts, last_ts, first_minute, last_minute, calls FROM entity_months WHERE key = 'user_id' AND value = ? ORDER BY seg_key").all<EntityRow>(value);

/** v9's insert of an entity row (no minute columns), one call; `?`s: seg_key, month, seg_value, value, first_ts, last_ts. */
const V9_INSERT = `INSERT INTO entity_months (key, seg_key, month, seg_value, value, first_ts, last_ts, ${MEASURE_COLUMNS.join(', ')})
  VALUES ('user_id', ?, ?, ?, ?, ?, ?, ${MEASURE_COLUMNS.map((c) => (c === 'calls' ? '1' : '0')).join(', ')})`;

const call = (at: string) => record({ at, tags: { user_id: 'u_1', user_tier: 'pro' } });

describe('entity_months minutes (schema v10)', () => {
  it('follow first_ts and last_ts as batches arrive out of order, across minutes', () => {
    const driver = openDriver(':memory:');
    const writer = createCallWriter(driver);
    try {
      writer.insertCalls([call('2026-11-10T10:30:10Z')]);
      writer.insertCalls([call('2026-11-10T10:30:50Z')]); // same minutes: only the ms move
      writer.insertCalls([call('2026-11-10T12:05:07Z'), call('2026-11-10T09:15:59.999Z')]);
      const got = rows(driver, 'u_1');
      expect(got.map((r) => r.seg_key)).toEqual(['', 'tenant_id', 'user_tier']);
      for (const r of got) {
        expect(r).toEqual({
          seg_key: r.seg_key,
          first_ts: Date.parse('2026-11-10T09:15:59.999Z'),
          last_ts: Date.parse('2026-11-10T12:05:07Z'),
          first_minute: Date.parse('2026-11-10T09:15:00Z'),
          last_minute: Date.parse('2026-11-10T12:05:00Z'),
          calls: 4,
        });
      }
    } finally {
      writer.close();
    }
  });

  it('are corrected by the triggers for a writer that does not set them (an older serve on a migrated file)', () => {
    const driver = driverAt(MIGRATIONS.length);
    const month = Date.parse('2026-11-01T00:00:00Z');
    const t1 = Date.parse('2026-11-10T10:30:12.345Z');
    // v9's statement: no minute columns, so they start at their default 0.
    driver.prepare(V9_INSERT).run('', month, '', 'u_old', t1, t1);
    expect(rows(driver, 'u_old')[0]).toMatchObject({ first_minute: minuteOf(t1), last_minute: minuteOf(t1) });
    // v9's upsert update: first_ts and last_ts only.
    const t2 = Date.parse('2026-11-12T07:59:59Z');
    driver.prepare("UPDATE entity_months SET last_ts = MAX(last_ts, ?), calls = calls + 1 WHERE key = 'user_id' AND value = 'u_old'").run(t2);
    expect(rows(driver, 'u_old')[0]).toMatchObject({ first_ts: t1, last_ts: t2, first_minute: minuteOf(t1), last_minute: minuteOf(t2), calls: 2 });
  });

  it('are filled by the migration for every row a v9 database holds, and the time indexes are on them', () => {
    const driver = driverAt(9);
    const month = Date.parse('2026-10-01T00:00:00Z');
    const insert = driver.prepare(V9_INSERT);
    const spans: Array<[string, number, number]> = [
      ['u_a', Date.parse('2026-10-03T00:00:00Z'), Date.parse('2026-10-03T00:59:59.999Z')],
      ['u_b', Date.parse('2026-10-05T13:20:00Z'), Date.parse('2026-10-31T23:10:00Z')],
    ];
    for (const [value, first, last] of spans) {
      insert.run('', month, '', value, first, last);
      insert.run('user_tier', month, 'free', value, first, last);
    }
    migrate(driver, MIGRATIONS);
    for (const [value, first, last] of spans) {
      for (const r of rows(driver, value)) expect([r.first_minute, r.last_minute]).toEqual([minuteOf(first), minuteOf(last)]);
    }
    const columns = (index: string) => driver.prepare(`PRAGMA index_info(${index})`).all<{ name: string }>().map((c) => c.name);
    expect(columns('entity_months_first')).toEqual(['key', 'seg_key', 'month', 'first_minute']);
    expect(columns('entity_months_last')).toEqual(['key', 'seg_key', 'month', 'last_minute']);
  });
});
