import { afterEach, describe, expect, it } from 'vitest';
import { spendReport } from '../../src/report/query.js';
import type { ReportQuery } from '../../src/report/types.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations/index.js';
import { pruneRawCalls } from '../../src/store/prune.js';
import { minuteOf } from '../../src/store/rollup-policy.js';
import { sqliteDb } from '../../src/store/db.js';
import { testStore as createStore } from '../support/store.js';
import type { CallRecord, SqlDriver } from '../../src/store/types.js';
import { readsOf, record } from '../report/dataset.js';
import { dump, oldDatabase } from './rollup-dump.js';

/**
 * Migration v6 (outcome and status in the rollups): hours and months whose raw calls are
 * kept are rebuilt exactly as the new writer writes them; what retention pruned before
 * stays as it was, counted whole, with outcome and status unknown.
 */

const HOUR = 3_600_000;
const OCT_30 = Date.parse('2026-10-30T00:00:00Z');
const NOV = Date.parse('2026-11-01T00:00:00Z');

/** 72 hours around the month boundary: mostly ok calls, a refusal, a connection never made and a failed call that reached the provider every few hours. */
const CALLS: CallRecord[] = Array.from({ length: 72 }, (_, h) => {
  const base = record({ at: OCT_30 + h * HOUR + 60_000, cost: 1000 + h, latency: 100 + h, tags: { feature: h % 2 ? 'chat' : 'docs', user_id: `u${h % 5}`, user_tier: h % 3 ? 'free' : 'pro' } });
  if (h % 6 === 1) return { ...base, outcome: 'refused', status: 429, usage: null, usageSource: 'not_metered', costNano: 0 };
  if (h % 6 === 3) return { ...base, outcome: 'upstream_failed', status: 502, usage: null, usageSource: 'not_metered', costNano: 0 };
  if (h % 6 === 5) return { ...base, outcome: 'upstream_failed', status: 504, usageSource: 'estimated' };
  return base;
});

const drivers: SqlDriver[] = [];
const track = (d: SqlDriver) => (drivers.push(d), d);
afterEach(() => {
  while (drivers.length > 0) drivers.pop()!.close();
});

/** A v4 database holding CALLS (rollups from the v3 backfill, as a v4 build had them). */
const v4Database = () => track(oldDatabase(CALLS, 4));

/** What this build writes for CALLS, call by call in small batches. */
function incremental(): SqlDriver {
  const driver = track(openDriver(':memory:'));
  const store = createStore(driver);
  for (let i = 0; i < CALLS.length; i += 7) store.insertCalls(CALLS.slice(i, i + 7));
  return driver;
}

const report = (driver: SqlDriver, q: Partial<ReportQuery>) => spendReport(readsOf(driver), { since: OCT_30, until: OCT_30 + 72 * HOUR, by: [], where: [], timeZone: 'UTC', ...q });

describe('migration v6: outcome and status in the rollups', () => {
  it('rebuilds everything from raw calls when nothing was pruned', () => {
    const migrated = v4Database();
    migrate(migrated, MIGRATIONS);
    expect(dump(migrated)).toEqual(dump(incremental()));
  });

  it('rebuilds what raw calls still cover and keeps pruned hours and months as they were, counted whole', async () => {
    const driver = v4Database();
    // Retention ran on the v4 build: raw calls before November 1 are gone.
    expect((await pruneRawCalls(sqliteDb(driver), 1, NOV + 86_400_000)).cutoff).toBe(NOV);
    const oldRollups = driver
      .prepare(`SELECT d.key_name, d.tag_key, d.tag_value, r.hour, r.calls, r.cost_nano, r.latency_hist FROM rollups r JOIN rollup_dims d ON d.id = r.dim_id WHERE r.hour < ? ORDER BY d.ident, r.hour`)
      .all(NOV);
    const oldEntities = driver.prepare('SELECT * FROM entity_months WHERE month < ? ORDER BY key, seg_key, month, seg_value, value').all(NOV);
    expect(oldRollups.length).toBeGreaterThan(0);
    expect(oldEntities.length).toBeGreaterThan(0);

    migrate(driver, MIGRATIONS);
    const after = dump(driver);
    const fresh = dump(incremental());
    const since = (rows: unknown[], key: 'hour' | 'month') => rows.filter((r) => (r as Record<string, number>)[key]! >= NOV);
    const before = (rows: unknown[], key: 'hour' | 'month') => rows.filter((r) => (r as Record<string, number>)[key]! < NOV);

    // November: exactly what this build writes.
    expect(since(after.rollups, 'hour')).toEqual(since(fresh.rollups, 'hour'));
    expect(since(after.entities, 'month')).toEqual(since(fresh.entities, 'month'));
    expect(since(after.entityCounts, 'month')).toEqual(since(fresh.entityCounts, 'month'));
    // October (pruned): the same rows, outcome and status unknown, every call counted.
    const pruned = before(after.rollups, 'hour') as Array<Record<string, unknown>>;
    expect(pruned.map(({ key_name, tag_key, tag_value, hour, calls, cost_nano, latency_hist }) => ({ key_name, tag_key, tag_value, hour, calls, cost_nano, latency_hist }))).toEqual(oldRollups);
    for (const r of pruned) expect(r).toMatchObject({ outcome: null, status: null, reached: 1 });
    // Schema v10 adds the UTC minutes of first_ts / last_ts to every row.
    const oldMonths = before(after.entities, 'month') as Array<Record<string, number>>;
    for (const r of oldMonths) expect([r.first_minute, r.last_minute]).toEqual([minuteOf(r.first_ts!), minuteOf(r.last_ts!)]);
    expect(oldMonths.map(({ first_minute: _f, last_minute: _l, ...rest }) => rest)).toEqual(oldEntities);

    // Reports: October as before (48 calls, refused ones included, outcome unknown), November by the new rule.
    const october = await report(driver, { until: NOV, by: ['outcome'] });
    expect(october.rows.map((r) => [r.group.outcome, r.calls])).toEqual([['(none)', 48]]);
    expect(october.excluded).toEqual([]);
    const november = await report(driver, { since: NOV, by: ['outcome'] });
    const novemberCalls = CALLS.filter((c) => c.ts >= NOV);
    const count = (f: (c: CallRecord) => boolean) => novemberCalls.filter(f).length;
    expect(november.total.calls).toBe(count((c) => c.outcome === 'ok' || c.usageSource === 'estimated'));
    expect(november.excluded).toEqual([
      { outcome: 'refused', calls: count((c) => c.outcome === 'refused') },
      { outcome: 'upstream_failed', calls: count((c) => c.outcome === 'upstream_failed' && c.usageSource === 'not_metered') },
    ]);
    const refused = await report(driver, { since: NOV, where: [{ key: 'outcome', op: '=', value: 'refused' }] });
    expect(refused.total.calls).toBe(count((c) => c.outcome === 'refused'));
    expect(refused.excluded).toBeUndefined();
  });
});
