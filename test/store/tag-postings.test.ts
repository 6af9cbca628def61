import { afterEach, describe, expect, it } from 'vitest';
import { createCallWriter } from '../../src/store/call-writer.js';
import { sqliteDb } from '../../src/store/db.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations/index.js';
import { MIGRATED_POSTING_SPAN } from '../../src/store/migrations/012-tag-postings.js';
import { pruneRawCalls } from '../../src/store/prune.js';
import { tagFilterSql } from '../../src/store/read/dialect.js';
import type { CallRecord, SqlDriver } from '../../src/store/types.js';
import { POSTED_TAG_ROWS_SQL, tagRowsSql } from '../support/tag-rows.js';
import { makeCall } from './fixtures.js';
import { oldDatabase } from './rollup-dump.js';

/**
 * SQLite schema v12 (migrations/012-tag-postings.ts): the calls of each value of a key never
 * rolled up (user_id, session_id, request-scoped ids) as one call_postings row per write
 * batch, listing only stored calls.
 */

const DAY = 86_400_000;
const NOV = Date.UTC(2026, 10, 1);

const drivers: SqlDriver[] = [];
afterEach(() => {
  while (drivers.length > 0) drivers.pop()!.close();
});

function fresh(): SqlDriver {
  const driver = openDriver(':memory:');
  drivers.push(driver);
  return driver;
}

interface Posting {
  key: string;
  value: string;
  first_id: number;
  last_id: number;
  ids: string;
}
const postings = (driver: SqlDriver) => driver.prepare('SELECT key, value, first_id, last_id, ids FROM call_postings ORDER BY key, value, first_id').all<Posting>();
const postedRows = (driver: SqlDriver) => driver.prepare(`${POSTED_TAG_ROWS_SQL} ORDER BY 1, 2, 3`).all();

/** Ids of the calls whose `key` is `value`, as the report filters read them (dialect.ts tagFilterSql). */
function callsWith(driver: SqlDriver, key: string, value: string): number[] {
  const f = tagFilterSql('sqlite', key, '=', value);
  return driver.prepare(`SELECT c.id FROM calls c WHERE ${f.sql} ORDER BY c.id`).all<{ id: number }>(...f.params).map((r) => r.id);
}

const user = (i: number, u: string, ts = NOV + i, extra: Record<string, string> = {}): CallRecord => makeCall(i, { ts, tags: { feature: 'chat', user_id: u, ...extra } });

describe('SQLite v12: postings of the keys never rolled up', () => {
  it('the writer writes one posting per value and batch, its call ids ascending between first_id and last_id', () => {
    const driver = fresh();
    const writer = createCallWriter(driver);
    writer.insertCalls([user(0, 'u1'), user(1, 'u2', NOV + 1, { session_id: 's1' }), user(2, 'u1'), makeCall(3, { ts: NOV + 3, tags: { feature: 'chat' } }), user(4, 'u1')]);
    writer.insertCalls([user(5, 'u2'), user(6, 'u1', NOV + 6, { conversation_id: 'c9' })]);
    expect(postings(driver)).toEqual([
      { key: 'conversation_id', value: 'c9', first_id: 7, last_id: 7, ids: '[7]' },
      { key: 'session_id', value: 's1', first_id: 2, last_id: 2, ids: '[2]' },
      { key: 'user_id', value: 'u1', first_id: 1, last_id: 5, ids: '[1,3,5]' },
      { key: 'user_id', value: 'u1', first_id: 7, last_id: 7, ids: '[7]' },
      { key: 'user_id', value: 'u2', first_id: 2, last_id: 2, ids: '[2]' },
      { key: 'user_id', value: 'u2', first_id: 6, last_id: 6, ids: '[6]' },
    ]);
    expect(callsWith(driver, 'user_id', 'u1')).toEqual([1, 3, 5, 7]);
    expect(callsWith(driver, 'user_id', 'nobody')).toEqual([]);
  });

  it(`migrating a v11 database turns its call_tags rows into one posting per value and window of ${MIGRATED_POSTING_SPAN} call ids, and drops call_tags`, () => {
    const calls = Array.from({ length: 2 * MIGRATED_POSTING_SPAN + 500 }, (_, i) => user(i, i % 50 === 0 ? 'u_other' : 'u_heavy', NOV + i));
    const old = oldDatabase(calls, 11);
    drivers.push(old);
    const before = old.prepare(`${tagRowsSql('call_tags')} ORDER BY 1, 2, 3`).all();
    migrate(old, MIGRATIONS);
    expect(postedRows(old)).toEqual(before);
    expect(old.prepare("SELECT 1 FROM sqlite_master WHERE name = 'call_tags'").get()).toBeUndefined();
    // The calls were written in order: call i has id i + 1.
    const expected = (u: string) => {
      const windows = new Map<number, number[]>();
      calls.forEach((c, i) => {
        if (c.tags.user_id !== u) return;
        const w = Math.floor(i / MIGRATED_POSTING_SPAN);
        windows.set(w, [...(windows.get(w) ?? []), i + 1]);
      });
      return [...windows.values()].map((ids) => ({ key: 'user_id', value: u, first_id: ids[0], last_id: ids.at(-1), ids: JSON.stringify(ids) }));
    };
    expect(postings(old)).toEqual([...expected('u_heavy'), ...expected('u_other')]);
    expect(postings(old)).toHaveLength(6);
    expect(callsWith(old, 'user_id', 'u_other')).toHaveLength(calls.filter((c) => c.tags.user_id === 'u_other').length);
  });

  it('retention takes pruned calls out of their postings, deletes emptied postings and keeps the rest', async () => {
    const driver = fresh();
    const writer = createCallWriter(driver);
    // One batch straddles the cutoff (November 2, 00:00 UTC with a day of retention).
    writer.insertCalls([user(0, 'u1', NOV + 1), user(1, 'u2', NOV + 2), user(2, 'u1', NOV + 2 * DAY + 5), user(3, 'u3', NOV + 3)]);
    const result = await pruneRawCalls(sqliteDb(driver), 1, NOV + 2 * DAY + 10);
    expect(result).toMatchObject({ cutoff: NOV + DAY, calls: 3, done: true });
    expect(postings(driver)).toEqual([{ key: 'user_id', value: 'u1', first_id: 1, last_id: 3, ids: '[3]' }]);
    expect(callsWith(driver, 'user_id', 'u1')).toEqual([3]);
  });

  it('a call id SQLite hands out again after retention deleted the newest call never inherits an old posting', async () => {
    const driver = fresh();
    const writer = createCallWriter(driver);
    writer.insertCalls([user(0, 'u1', NOV + 1), user(1, 'u1', NOV + 2)]);
    await pruneRawCalls(sqliteDb(driver), 1, NOV + 5 * DAY);
    expect(driver.prepare('SELECT COUNT(*) AS n FROM calls').get()).toEqual({ n: 0 });
    writer.insertCalls([makeCall(9, { ts: NOV + 5 * DAY, tags: { feature: 'chat' } }), user(10, 'u2', NOV + 5 * DAY)]);
    // calls.id has no AUTOINCREMENT: the new calls are ids 1 and 2 again.
    expect(driver.prepare('SELECT id FROM calls ORDER BY id').all()).toEqual([{ id: 1 }, { id: 2 }]);
    expect(callsWith(driver, 'user_id', 'u1')).toEqual([]);
    expect(callsWith(driver, 'user_id', 'u2')).toEqual([2]);
  });
});
