import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { plannedReads } from '../../src/report/run-plan.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations/index.js';
import { LATENCY_BUCKET_LOW, LATENCY_BUCKETS, MAX_TAG_VALUES_PER_DAY, latencyBucket } from '../../src/store/rollup-policy.js';
import { testStore as createStore } from '../support/store.js';
import type { CallRecord, SqlDriver } from '../../src/store/types.js';
import type { TestStore as Store } from '../support/store.js';
import { readsOf, record } from '../report/dataset.js';
import { callArb } from '../report/rollup-arbitraries.js';
import { dump, oldDatabase } from './rollup-dump.js';

/** Rollup maintenance in the store: backfill (v3, rebuilt by v6) = incremental writes, demotion, rollback, two writers, retention. */

const DAY = Date.parse('2026-11-10T00:00:00Z');

function insertBatches(store: Store, calls: readonly CallRecord[], size: number): void {
  for (let i = 0; i < calls.length; i += size) store.insertCalls(calls.slice(i, i + size));
}

/** A v2 database holding `calls` (written as v2 would), then opened by this build: migration 003 backfills (and 005 rebuilds). */
function backfilled(calls: readonly CallRecord[]): Store {
  return createStore(oldDatabase(calls, 2));
}

/** `n` calls on one UTC day, each with its own `order_no` (a key that must be demoted past the limit). */
const manyValues = (n: number, key = 'order_no') =>
  Array.from({ length: n }, (_, i) => record({ at: DAY + i * 1000, latency: 10 + (i % 50), tags: { feature: i % 2 ? 'chat' : 'docs', [key]: `o${i}` } }));

const stores: Store[] = [];
const track = (s: Store) => (stores.push(s), s);
afterEach(() => {
  while (stores.length > 0) stores.pop()!.close();
});

describe('rollup maintenance', () => {
  it('the v3 backfill of existing calls equals what insertCalls writes, batch by batch', () => {
    fc.assert(
      fc.property(fc.array(callArb, { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 30 }), (calls, size) => {
        const incremental = track(createStore(openDriver(':memory:')));
        insertBatches(incremental, calls, size);
        expect(dump(track(backfilled(calls)).driver)).toEqual(dump(incremental.driver));
      }),
      { numRuns: 40 },
    );
  });

  it('demotes a key once a UTC day holds more than the limit of its values, in the backfill too', async () => {
    const calls = manyValues(MAX_TAG_VALUES_PER_DAY + 1);
    const incremental = track(createStore(openDriver(':memory:')));
    insertBatches(incremental, calls.slice(0, MAX_TAG_VALUES_PER_DAY), 300);
    const key = () => incremental.driver.prepare("SELECT rolled_up, reason FROM tag_keys WHERE key = 'order_no'").get();
    expect(key()).toEqual({ rolled_up: 1, reason: null });
    insertBatches(incremental, calls.slice(MAX_TAG_VALUES_PER_DAY), 300);
    expect(key()).toEqual({ rolled_up: 0, reason: 'cardinality' });
    const leftovers = (d: SqlDriver) => d.prepare("SELECT COUNT(*) AS n FROM rollup_dims WHERE tag_key = 'order_no'").get<{ n: number }>()!.n;
    expect(leftovers(incremental.driver)).toBe(0);
    expect(dump(track(backfilled(calls)).driver)).toEqual(dump(incremental.driver));

    // Reports by the demoted key read raw rows and stay right.
    const spec = { since: DAY, until: DAY + 86_400_000, by: ['order_no'], where: [], timeZone: 'UTC' };
    const reads = readsOf(incremental.driver);
    expect(await (await plannedReads(reads)).groups(spec, { top: 3 })).toEqual(await reads.raw.groups(spec, { top: 3 }));
  });

  it('a batch that fails leaves rollups untouched, and the next batch still resolves its dims', () => {
    const store = track(createStore(openDriver(':memory:')));
    store.insertCalls([record({ at: DAY, tags: { feature: 'a' } })]);
    const before = dump(store.driver);
    const bad = { ...record({ at: DAY, model: 'new-model', tags: { feature: 'b', fresh_key: 'x' } }), latencyMs: Number.NaN };
    expect(() => store.insertCalls([record({ at: DAY + 1, model: 'new-model', tags: { feature: 'b', fresh_key: 'x' } }), bad])).toThrow();
    expect(dump(store.driver)).toEqual(before);
    const good = [record({ at: DAY + 2, model: 'new-model', tags: { feature: 'b', fresh_key: 'x' } })];
    store.insertCalls(good);
    expect(dump(store.driver)).toEqual(dump(track(backfilled([record({ at: DAY, tags: { feature: 'a' } }), ...good])).driver));
  });

  it('two writers on one file keep one consistent set of rollups (also across a demotion)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokometer-rollups-'));
    try {
      const a = track(createStore(openDriver(join(dir, 'db'))));
      const b = track(createStore(openDriver(join(dir, 'db'))));
      const calls = manyValues(MAX_TAG_VALUES_PER_DAY + 200, 'ticket');
      for (let i = 0; i < calls.length; i += 150) (i % 300 === 0 ? a : b).insertCalls(calls.slice(i, i + 150));
      expect(dump(a.driver)).toEqual(dump(track(backfilled(calls)).driver));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('retention', () => {
  const calls = [
    ...Array.from({ length: 48 }, (_, h) => record({ at: DAY + h * 3_600_000 + 59_000, latency: 100 + h, tags: { feature: h % 3 ? 'chat' : 'docs', user_id: `u${h % 5}`, session_id: `s${h}` } })),
    record({ at: Date.parse('2026-10-31T12:00:00Z'), tags: { user_id: 'old' } }),
  ];

  it('deletes raw calls and their tags before the hour cutoff, keeps rollups, raises raw_since', async () => {
    const store = track(createStore(openDriver(':memory:')));
    insertBatches(store, calls, 10);
    const before = dump(store.driver);
    const now = DAY + 24 * 3_600_000 + 30 * 60_000 + 86_400_000; // cutoff: DAY + 24h (the hour containing now − 1 day)
    const result = await store.prune(1, now);
    expect(result).toEqual({ cutoff: DAY + 24 * 3_600_000, calls: 25, done: true });
    const count = (sql: string) => store.driver.prepare(sql).get<{ n: number }>()!.n;
    expect(count('SELECT COUNT(*) AS n FROM calls')).toBe(24);
    expect(count(`SELECT COUNT(*) AS n FROM calls WHERE ts < ${result.cutoff}`)).toBe(0);
    expect(count('SELECT COUNT(*) AS n FROM call_postings p, json_each(p.ids) j WHERE j.value NOT IN (SELECT id FROM calls)')).toBe(0);
    const after = dump(store.driver);
    expect(after.rollups).toEqual(before.rollups);
    expect(after.state).toContainEqual({ name: 'raw_since', value: result.cutoff });
    // Entity rows outlive retention: October's user 'old' (whole, by tier, by tenant) is still there.
    expect(after.entities).toEqual(before.entities);
    expect(after.entityCounts).toEqual(before.entityCounts);
    expect(after.entities.filter((e) => (e as { value: string }).value === 'old')).toHaveLength(3);

    expect(await store.prune(1, now)).toEqual({ cutoff: result.cutoff, calls: 0, done: true });
    await store.prune(5, now);
    expect(dump(store.driver).state).toContainEqual({ name: 'raw_since', value: result.cutoff });
    await expect(store.prune(0, now)).rejects.toThrow(RangeError);
  });

  it('v4 marks where a database pruned by v3 (which deleted entity rows) still has them complete', () => {
    const driver = openDriver(':memory:');
    migrate(driver, MIGRATIONS.slice(0, 3));
    driver.prepare("UPDATE rollup_state SET value = ? WHERE name = 'raw_since'").run(Date.parse('2026-11-10T05:00:00Z'));
    migrate(driver, MIGRATIONS);
    expect(driver.prepare("SELECT value FROM rollup_state WHERE name = 'entity_since'").get()).toEqual({ value: Date.parse('2026-11-01T00:00:00Z') });
    const never = openDriver(':memory:');
    migrate(never, MIGRATIONS);
    expect(never.prepare("SELECT value FROM rollup_state WHERE name = 'entity_since'").get()).toBeUndefined();
    driver.close();
    never.close();
  });

  it('prunes a backlog a bounded number of calls at a time', async () => {
    const store = track(createStore(openDriver(':memory:')));
    insertBatches(store, Array.from({ length: 12_000 }, (_, i) => record({ at: DAY + i, tags: { user_id: `u${i % 7}` } })), 4_000);
    const now = DAY + 30 * 86_400_000;
    expect(await store.prune(1, now, { maxCalls: 5_000 })).toMatchObject({ calls: 5_000, done: false });
    expect(await store.prune(1, now, { maxCalls: 5_000 })).toMatchObject({ calls: 5_000, done: false });
    expect(await store.prune(1, now, { maxCalls: 5_000 })).toMatchObject({ calls: 2_000, done: true });
    expect(store.driver.prepare('SELECT COUNT(*) AS n FROM call_postings').get()).toEqual({ n: 0 });
  });
});

describe('latency buckets', () => {
  it('place every latency in the bucket whose bounds hold it', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 2 ** 33, noNaN: true }), (ms) => {
        const b = latencyBucket(ms);
        expect(ms >= LATENCY_BUCKET_LOW[b]!).toBe(true);
        if (b < LATENCY_BUCKETS - 1) expect(ms < LATENCY_BUCKET_LOW[b + 1]!).toBe(true);
      }),
    );
    expect([latencyBucket(0.99), latencyBucket(1), latencyBucket(2), latencyBucket(-5)]).toEqual([0, 1, 9, 0]);
  });
});
