import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { planQuery } from '../../src/report/plan.js';
import { spendReport } from '../../src/report/query.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import type { Store } from '../../src/store/facade.js';
import { postgresCallSink } from '../../src/store/pg/call-sink.js';
import { openPostgresStore } from '../../src/store/pg/pg-store.js';
import type { ReportQuery } from '../../src/report/types.js';
import { dropTestDatabase, withDatabase } from '../support/pg.js';
import { testStore } from '../support/store.js';
import { record, type CallSpec } from './dataset.js';

/**
 * Top-N reports break ties of cost and calls by the group value's UTF-8 bytes: SQLite's
 * BINARY order, and what rollups.ts and entity-top.ts rank with in JavaScript
 * (lib/byte-order.ts compareUtf8). A PostgreSQL database orders text by its own collation,
 * which is linguistic on most installs (the official Docker image's en_US.utf8: "a" before
 * "B"). Here a database with the ICU en-US collation stands for such an install.
 */

const adminUrl = inject('pgUrl');
const made: string[] = [];
afterAll(async () => {
  for (const url of made) await dropTestDatabase(adminUrl, url);
});

/** A new database whose default collation is linguistic (ICU en-US), as on a typical install. */
async function linguisticDatabase(): Promise<string> {
  const name = `tk_collation_${randomBytes(4).toString('hex')}`;
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'`);
  } finally {
    await sql.end({ timeout: 5 });
  }
  const url = withDatabase(adminUrl, name);
  made.push(url);
  return url;
}

const NOVEMBER = { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-01T00:00:00Z') };

/** Two groups tied on cost ($0.000001 each) and calls (1 each): "B" (0x42) sorts before "a" (0x61) by bytes, after it in en-US. */
const CALLS: CallSpec[] = [
  { at: '2026-11-10T10:00:00Z', cost: 1000, tags: { feature: 'B', tenant_id: 't1', user_id: 'B' } },
  { at: '2026-11-10T11:00:00Z', cost: 1000, tags: { feature: 'a', tenant_id: 't1', user_id: 'a' } },
];

async function bothStores(): Promise<{ lite: Store; pg: Store }> {
  const lite = testStore(openDriver(':memory:'));
  lite.insertCalls(CALLS.map(record));
  const pg = await openPostgresStore(await linguisticDatabase(), 'create');
  await postgresCallSink(pg.db).write(CALLS.map(record));
  return { lite, pg };
}

const kept = async (store: Store, q: ReportQuery) => (await spendReport(store.reports, q)).rows.map((r) => [Object.values(r.group).join(','), r.costNano]);

describe('top-N ties break by bytes on PostgreSQL too, whatever the database collation', () => {
  it('the database really orders text linguistically', async () => {
    const sql = postgres(await linguisticDatabase(), { max: 1, onnotice: () => {} });
    try {
      const rows = await sql.unsafe(`SELECT v FROM (VALUES ('B'), ('a')) AS t(v) ORDER BY v`);
      expect(rows.map((r) => r.v)).toEqual(['a', 'B']);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it('--by feature --top 1 with a second tag key (raw rows) keeps the same group as SQLite and as rollups', async () => {
    const { lite, pg } = await bothStores();
    try {
      const raw: ReportQuery = { ...NOVEMBER, by: ['feature'], where: [{ key: 'tenant_id', op: '=', value: 't1' }], timeZone: 'UTC', top: 1 };
      const rolled: ReportQuery = { ...raw, where: [] };
      const rollups = await pg.reports.rollupState();
      expect(planQuery(raw, { rollups }).source).toBe('raw');
      expect(planQuery(rolled, { rollups }).source).toBe('rollups');
      // By bytes "B" ranks first: kept, and "a" folds into (other).
      const expected = [['B', 1000], ['(other)', 1000]];
      expect(await kept(lite, raw)).toEqual(expected);
      expect(await kept(pg, rolled)).toEqual(expected);
      expect(await kept(pg, raw)).toEqual(expected);
    } finally {
      await lite.close();
      await pg.close();
    }
  });

  it('--by user_id --top 1 over a whole month (entity rows) keeps the same user as SQLite', async () => {
    const { lite, pg } = await bothStores();
    try {
      const q: ReportQuery = { ...NOVEMBER, by: ['user_id'], where: [], timeZone: 'UTC', top: 1 };
      expect(planQuery({ ...q, reach: 'reached' }, { rollups: await pg.reports.rollupState() }).source).toBe('entities');
      const expected = [['B', 1000], ['(other)', 1000]];
      expect(await kept(lite, q)).toEqual(expected);
      expect(await kept(pg, q)).toEqual(expected);
    } finally {
      await lite.close();
      await pg.close();
    }
  });

  it('a per-user budget\'s most spent instance (periodSpend top, the TUI gauges) is the same as on SQLite', async () => {
    const { lite, pg } = await bothStores();
    try {
      const perUser = { kind: 'tag' as const, name: 'per-user', match: {}, per: 'user_id' };
      const bounds = { period: 'month' as const, start: NOVEMBER.since, end: NOVEMBER.until };
      const top = async (store: Store) => (await store.budgets.periodSpend(perUser, bounds, { top: 1 })).map((s) => [s.tagValue, s.costNano]);
      expect(await top(lite)).toEqual([['B', 1000]]);
      expect(await top(pg)).toEqual([['B', 1000]]);
    } finally {
      await lite.close();
      await pg.close();
    }
  });
});
