import { afterEach, describe, expect, it } from 'vitest';
import { createCallWriter } from '../../src/store/call-writer.js';
import { sqliteDb } from '../../src/store/db.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations/index.js';
import { entityTagRows } from '../../src/store/migrations/009-entity-tag-rows.js';
import { TAG_ROW_KEYS } from '../../src/store/rollup-policy.js';
import { pruneRawCalls } from '../../src/store/prune.js';
import { callTagKeys } from '../../src/store/read/tag-keys.js';
import { parseTags } from '../../src/proxy/tags.js';
import type { CallRecord, SqlDriver } from '../../src/store/types.js';
import { POSTED_TAG_ROWS_SQL, tagRowsSql } from '../support/tag-rows.js';
import { makeCall } from './fixtures.js';
import { oldDatabase } from './rollup-dump.js';

/**
 * SQLite schema v9 (migrations/009-entity-tag-rows.ts): call_tags holds the rows of the
 * keys never rolled up only (TAG_ROW_KEYS; postings since v12), call_tag_keys the tag
 * keys of each UTC month; every tag stays in calls.tags.
 */

const OCT = Date.UTC(2026, 9, 1);
const NOV = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;

/** Calls over October and November: entity keys on some, other keys on all, one call without tags. */
const CALLS: CallRecord[] = [
  makeCall(0, { ts: OCT + 5, tags: { feature: 'chat', user_id: 'u1', october: 'only' } }),
  makeCall(1, { ts: OCT + 9 * DAY, tags: { feature: 'search', session_id: 's1' } }),
  makeCall(2, { ts: NOV + 1, tags: { feature: 'chat', user_id: 'u2', session_id: 's2', tenant_id: 't1' } }),
  makeCall(3, { ts: NOV + 2 * DAY, tags: { feature: 'chat', 'odd key': "it's", conversation_id: 'c9' } }),
  makeCall(4, { ts: NOV + 3 * DAY, tags: {} }),
];

const drivers: SqlDriver[] = [];
afterEach(() => {
  while (drivers.length > 0) drivers.pop()!.close();
});

const rows = (driver: SqlDriver, sql: string) => driver.prepare(sql).all();
/** The stored TAG_ROW_KEYS rows: postings since v12 (call_tags rows at v9–v11, `table`). */
const tagRows = (driver: SqlDriver, table: 'call_postings' | 'call_tags' = 'call_postings') =>
  rows(driver, `${table === 'call_tags' ? tagRowsSql('call_tags') : POSTED_TAG_ROWS_SQL} ORDER BY 1, 2`);
const tagKeyRows = (driver: SqlDriver) => rows(driver, 'SELECT month, key FROM call_tag_keys ORDER BY month, key');
const callTags = (driver: SqlDriver) => rows(driver, 'SELECT ts, tags FROM calls ORDER BY ts');

function written(): SqlDriver {
  const driver = openDriver(':memory:');
  drivers.push(driver);
  const writer = createCallWriter(driver);
  writer.insertCalls(CALLS.slice(0, 2));
  writer.insertCalls(CALLS.slice(2));
  return driver;
}

describe('SQLite v9: entity tag rows and the tag keys of each month', () => {
  it('the writer keeps postings for the keys never rolled up only, and registers every tag key per UTC month', async () => {
    const driver = written();
    expect(tagRows(driver)).toEqual([
      { ts: OCT + 5, key: 'user_id', value: 'u1' },
      { ts: OCT + 9 * DAY, key: 'session_id', value: 's1' },
      { ts: NOV + 1, key: 'session_id', value: 's2' },
      { ts: NOV + 1, key: 'user_id', value: 'u2' },
      { ts: NOV + 2 * DAY, key: 'conversation_id', value: 'c9' },
    ]);
    expect(tagKeyRows(driver)).toEqual([
      ...['feature', 'october', 'session_id', 'user_id'].map((key) => ({ month: OCT, key })),
      ...['conversation_id', 'feature', 'odd key', 'session_id', 'tenant_id', 'user_id'].map((key) => ({ month: NOV, key })),
    ]);
    expect(callTags(driver).map((r) => JSON.parse((r as { tags: string }).tags))).toEqual(CALLS.map((c) => c.tags));
    expect(await callTagKeys(sqliteDb(driver))).toEqual(['conversation_id', 'feature', 'october', 'odd key', 'session_id', 'tenant_id', 'user_id']);
  });

  it('the migration keeps the rows of exactly the keys the writer keeps (TAG_ROW_KEYS, written out in its SQL)', () => {
    const kept = /NOT IN \(([^)]*)\)/.exec(entityTagRows.up)?.[1]?.split(',').map((k) => k.trim().replace(/^'|'$/g, ''));
    expect(kept).toEqual([...TAG_ROW_KEYS]);
  });

  it('migrating a v8 database (call_tags rows for every tag) leaves exactly what the writer writes', () => {
    const old = oldDatabase(CALLS, 8);
    drivers.push(old);
    expect((tagRows(old, 'call_tags') as unknown[]).length).toBe(12);
    migrate(old, MIGRATIONS);
    const fresh = written();
    expect(tagRows(old)).toEqual(tagRows(fresh));
    expect(tagKeyRows(old)).toEqual(tagKeyRows(fresh));
    expect(callTags(old)).toEqual(callTags(fresh));
  });

  it('a tag value that came through parseTags reads back the same from calls.tags as from the rollups', () => {
    const parsed = parseTags('{"feature":"a\\ud800b"}');
    if (!parsed.ok) throw new Error(parsed.error);
    const driver = openDriver(':memory:');
    drivers.push(driver);
    createCallWriter(driver).insertCalls([makeCall(0, { ts: NOV, tags: parsed.value })]);
    const raw = rows(driver, "SELECT t.value AS v FROM calls c, json_each(c.tags) t WHERE t.key = 'feature'");
    const rolled = rows(driver, "SELECT tag_value AS v FROM rollup_dims WHERE tag_key = 'feature'");
    expect(raw).toEqual([{ v: 'a\uFFFDb' }]);
    expect(rolled).toEqual(raw);
  });

  it('retention deletes the tag keys of the months wholly before its cutoff, and keeps the month it cuts into', async () => {
    const driver = written();
    const db = sqliteDb(driver);
    // Cutoff: November 2, 00:00 UTC. October is gone, November keeps its keys although its first call went.
    const result = await pruneRawCalls(db, 1, NOV + 2 * DAY + 1);
    expect(result).toMatchObject({ cutoff: NOV + DAY, calls: 3, done: true });
    expect(await callTagKeys(db)).toEqual(['conversation_id', 'feature', 'odd key', 'session_id', 'tenant_id', 'user_id']);
    expect(tagRows(driver)).toEqual([{ ts: NOV + 2 * DAY, key: 'conversation_id', value: 'c9' }]);
  });
});
