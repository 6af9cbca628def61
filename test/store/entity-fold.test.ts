import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { startOfMonth } from '../../src/report/tz.js';
import { createCallWriter } from '../../src/store/call-writer.js';
import { sqliteDb } from '../../src/store/db.js';
import { pruneRawCalls } from '../../src/store/prune.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { isReached } from '../../src/store/reached.js';
import type { CallRecord, SqlDriver } from '../../src/store/types.js';
import { testStore } from '../support/store.js';
import { T0, SPAN, ZONES, callArb, type QueryShape } from '../report/rollup-arbitraries.js';
import { answers } from '../report/store-answers.js';
import { makeCall } from './fixtures.js';

/**
 * serve's call writer keeps entity rows in memory across transactions (store/entity-fold.ts)
 * and lists the calls they lack in entity_pending (schema v13). Readers add those calls,
 * so every report reads as if each transaction had written its own entity rows; once the
 * fold is written, the tables are exactly those rows.
 */

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Never due by age: the fold is written only when the writer closes (or a test says otherwise). */
const HOLD_FOREVER = 1e12;

const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-fold-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => path.join(dir, `fold-${files++}.db`);

/** `calls` in batches of `size`, each through `write`. */
function inBatches(calls: readonly CallRecord[], size: number, write: (batch: CallRecord[]) => void): void {
  for (let i = 0; i < calls.length; i += size) write(calls.slice(i, i + size));
}

/** The entity tables (and what is pending), in a fixed order. */
function entityTables(driver: SqlDriver) {
  const all = (sql: string) => driver.prepare(sql).all();
  return {
    months: all('SELECT * FROM entity_months ORDER BY key, seg_key, month, seg_value, value'),
    counts: all('SELECT * FROM entity_counts ORDER BY key, seg_key, month, seg_value'),
    pending: all('SELECT * FROM entity_pending ORDER BY first_id'),
  };
}

/** The reference: each transaction writes its own entity rows (no fold). */
function reference(calls: readonly CallRecord[], size: number): SqlDriver {
  const driver = openDriver(':memory:');
  const writer = createCallWriter(driver);
  inBatches(calls, size, (b) => writer.insertCalls(b));
  return driver;
}

/** Calls that add to entity rows: they reached the provider and carry user_id or session_id. */
const reachedEntityCalls = (calls: readonly CallRecord[]) =>
  calls.filter((c) => (c.tags.user_id !== undefined || c.tags.session_id !== undefined) && isReached({ outcome: c.outcome, ttfbMs: c.ttfbMs ?? null, usageSource: c.usageSource })).length;

/** Ranges entity rows answer: a local calendar month, a UTC month, a suffix of one month and a prefix of the next, all time. */
const monthRange = fc.oneof(
  fc.constant({ since: Date.parse('2020-01-01T00:00:00Z'), until: Date.parse('2099-12-31T00:00:00Z'), zone: 'UTC' }),
  fc.tuple(fc.constantFrom(...ZONES), fc.integer({ min: 0, max: SPAN })).map(([zone, t]) => ({ since: startOfMonth(T0 + t, zone), until: startOfMonth(T0 + t, zone, 1), zone })),
  fc
    .tuple(fc.integer({ min: 1, max: 20 * 24 }), fc.integer({ min: 1, max: 20 * 24 }), fc.constantFrom(Date.parse('2026-10-01T00:00:00Z'), Date.parse('2026-11-01T00:00:00Z')))
    .map(([back, forward, boundary]) => ({ since: boundary - back * HOUR, until: boundary + forward * HOUR, zone: 'UTC' })),
);

/** `--by user_id|session_id [--top N]` and unit economics over such ranges (no filters: what entity rows hold). */
const entityQuery: fc.Arbitrary<QueryShape> = fc
  .record({ range: monthRange, by: fc.constantFrom<string[]>([], ['user_id'], ['session_id']), top: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }) })
  .map(({ range, by, top }) => ({ ...range, by, where: [], ...(top !== undefined ? { top } : {}) }));

describe('the entity fold (SQLite schema v13)', () => {
  it('property: reports read the same with entity rows pending as with every transaction writing its own; written, the tables are equal', async () => {
    let pendingSeen = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(callArb, { minLength: 20, maxLength: 160 }),
        fc.integer({ min: 1, max: 40 }),
        fc.nat(),
        fc.array(entityQuery, { minLength: 3, maxLength: 6 }),
        async (calls, size, cut, queries) => {
          const split = cut % (calls.length + 1);
          const expectedDriver = reference(calls, size);
          const expected = testStore(expectedDriver);
          const file = freshFile();
          // A writer that wrote its fold (closed), then one still holding the rest.
          const first = createCallWriter(openDriver(file), undefined, { entityHoldMs: HOLD_FOREVER });
          inBatches(calls.slice(0, split), size, (b) => first.insertCalls(b));
          first.close();
          const holding = createCallWriter(openDriver(file), undefined, { entityHoldMs: HOLD_FOREVER });
          inBatches(calls.slice(split), size, (b) => holding.insertCalls(b));
          const reader = testStore(openDriver(file));
          try {
            const pending = entityTables(reader.driver).pending.length;
            // A writer's first transaction writes whatever is pending (it cannot know what a predecessor left); then it holds.
            expect(pending > 0).toBe(reachedEntityCalls(calls.slice(split + size)) > 0);
            if (pending > 0) pendingSeen++;
            for (const q of queries) expect(await answers(reader, q), JSON.stringify(q)).toEqual(await answers(expected, q));
            holding.close();
            expect(entityTables(reader.driver)).toEqual(entityTables(expectedDriver));
          } finally {
            await reader.close();
            await expected.close();
          }
        },
      ),
      { numRuns: 25, seed: 2026_12_05 },
    );
    expect(pendingSeen).toBeGreaterThan(10);
  }, 120_000);

  it('a writer that stopped without writing its fold leaves its calls pending; the next writer reads them back from calls', () => {
    const calls = fc.sample(callArb, { numRuns: 120, seed: 7 }).map((c, i) => ({ ...c, tags: { ...c.tags, user_id: `u${i % 9}` } }));
    const file = freshFile();
    const crashed = openDriver(file);
    const writer = createCallWriter(crashed, undefined, { entityHoldMs: HOLD_FOREVER });
    inBatches(calls.slice(0, 80), 20, (b) => writer.insertCalls(b));
    // The process dies: the connection goes, the fold in memory with it.
    crashed.close();
    const next = openDriver(file);
    // Its first transaction wrote its rows (a writer starts unsure of what is pending), the other three wait.
    expect(entityTables(next).pending.length).toBe(3);
    // Its first transaction writes whatever is pending (not its own: read back from calls), however long it holds.
    const restarted = createCallWriter(next, undefined, { entityHoldMs: HOLD_FOREVER });
    restarted.insertCalls(calls.slice(80, 100));
    const expected = reference(calls.slice(0, 100), 20);
    expect(entityTables(next)).toEqual(entityTables(expected));
    // Then it holds again.
    inBatches(calls.slice(100), 20, (b) => restarted.insertCalls(b));
    expect(entityTables(next).pending.length).toBe(1);
    restarted.close();
    const reopened = openDriver(file);
    const all = reference(calls, 20);
    expect(entityTables(reopened)).toEqual(entityTables(all));
    reopened.close();
    expected.close();
    all.close();
  });

  it('a transaction that fails drops the fold: what committed before it is read back, nothing of it counts', () => {
    const calls = fc.sample(callArb, { numRuns: 90, seed: 11 }).map((c, i) => ({ ...c, tags: { ...c.tags, session_id: `s${i % 5}` } }));
    const file = freshFile();
    const driver = openDriver(file);
    let failNext = false;
    // The driver's transaction, made to fail after the writer's statements ran (as a failed COMMIT would).
    const transaction = driver.transaction.bind(driver);
    driver.transaction = <T>(fn: () => T): T =>
      transaction(() => {
        const out = fn();
        if (failNext) throw new Error('disk I/O error');
        return out;
      });
    const writer = createCallWriter(driver, undefined, { entityHoldMs: HOLD_FOREVER });
    inBatches(calls.slice(0, 60), 15, (b) => writer.insertCalls(b));
    failNext = true;
    expect(() => writer.insertCalls(calls.slice(60, 75))).toThrow('disk I/O error');
    failNext = false;
    // The transaction after the failed one writes every pending call, read back from calls.
    writer.insertCalls(calls.slice(75));
    expect(entityTables(driver).pending).toEqual([]);
    writer.close();
    const after = openDriver(file);
    const expected = reference([...calls.slice(0, 60), ...calls.slice(75)], 15);
    // The failed batch's calls were rolled back with everything else it wrote.
    expect(after.prepare('SELECT COUNT(*) AS n FROM calls').get()).toEqual({ n: 75 });
    expect(entityTables(after)).toEqual(entityTables(expected));
    after.close();
    expected.close();
  });

  it('retention keeps a call entity rows do not hold yet until they do (its entity rows outlive it)', async () => {
    const now = Date.parse('2026-11-20T12:00:00Z');
    const old = (i: number) => ({ ...makeCall(i, { ts: now - 3 * DAY + i, tags: { user_id: `u${i}` } }) });
    const file = freshFile();
    const writer = createCallWriter(openDriver(file), undefined, { entityHoldMs: HOLD_FOREVER });
    writer.insertCalls([makeCall(0, { ts: now })]);
    // Calls written days after they started (a spill file replayed late): old, and pending.
    writer.insertCalls([old(1), old(2)]);
    const reader = openDriver(file);
    const db = sqliteDb(reader);
    const stored = () => reader.prepare('SELECT COUNT(*) AS n FROM calls WHERE ts < ?').get(now - DAY);
    expect((await pruneRawCalls(db, 1, now)).calls).toBe(0);
    expect(stored()).toEqual({ n: 2 });
    writer.close();
    expect((await pruneRawCalls(db, 1, now)).calls).toBe(2);
    expect(stored()).toEqual({ n: 0 });
    expect(reader.prepare("SELECT value, calls FROM entity_months WHERE seg_key = '' ORDER BY value").all()).toEqual([
      { value: 'u1', calls: 1 },
      { value: 'u2', calls: 1 },
    ]);
    reader.close();
  });

  it('says when its held rows are due, and writes them on their own when asked (an idle writer thread)', () => {
    const file = freshFile();
    const hold = 60_000;
    const writer = createCallWriter(openDriver(file), undefined, { entityHoldMs: hold });
    const reader = openDriver(file);
    const pending = () => reader.prepare('SELECT COUNT(*) AS n FROM entity_pending').get();
    const rows = () => reader.prepare("SELECT value, calls FROM entity_months WHERE seg_key = '' ORDER BY value").all();
    expect(writer.heldEntitiesDueInMs()).toBeUndefined();
    // The first transaction writes its rows at once (a writer starts unsure of what is pending).
    writer.insertCalls([makeCall(0, { tags: { user_id: 'u0' } })]);
    expect(writer.heldEntitiesDueInMs()).toBeUndefined();
    writer.insertCalls([makeCall(1, { tags: { user_id: 'u0' } }), makeCall(2, { tags: { user_id: 'u1' } })]);
    const due = writer.heldEntitiesDueInMs()!;
    expect(due).toBeGreaterThan(0);
    expect(due).toBeLessThanOrEqual(hold);
    expect(pending()).toEqual({ n: 1 });
    writer.writeHeldEntities();
    expect(writer.heldEntitiesDueInMs()).toBeUndefined();
    expect(pending()).toEqual({ n: 0 });
    expect(rows()).toEqual([
      { value: 'u0', calls: 2 },
      { value: 'u1', calls: 1 },
    ]);
    // Nothing held: asking again writes nothing.
    writer.writeHeldEntities();
    expect(rows()).toEqual([
      { value: 'u0', calls: 2 },
      { value: 'u1', calls: 1 },
    ]);
    writer.close();
    reader.close();
  });
});
