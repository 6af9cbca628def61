import assert from 'node:assert/strict';
import { SpillFile } from '../../src/store/spill.js';
import { WriteQueueError } from '../../src/store/queue-health.js';
import { WriteQueue } from '../../src/store/write-queue.js';
import { DEFAULT_WRITE_BATCH } from '../../src/store/write-queue-options.js';
import type { CallRecord } from '../../src/store/types.js';
import type { TestStore } from '../support/store.js';
import { join } from 'node:path';
import { count, dbPath, makeCall, openStore, readCalls, tick, type ContractCase } from './fixtures.js';

/** Wraps a store so a test can see batch sizes and make the next `failures` writes fail transiently. */
function spy(store: TestStore) {
  const state = { batches: [] as number[], failures: 0 };
  const sink = {
    insertCalls(records: readonly CallRecord[]) {
      if (state.failures > 0) {
        state.failures--;
        throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      }
      store.insertCalls(records);
      state.batches.push(records.length);
    },
  };
  return { state, sink };
}

const calls = (n: number, from = 0) => Array.from({ length: n }, (_, i) => makeCall(from + i));

/** What a queue case works on: a fresh store in its tmpDir, and a spying sink in front of that store. */
interface QueueFixture extends ReturnType<typeof spy> {
  s: TestStore;
  tmp: string;
}

/** A case run on a fresh store, closed when `run` has passed. */
function queueCase(name: string, run: (f: QueueFixture) => void | Promise<void>): ContractCase {
  return {
    name,
    async run(open, tmp) {
      const s = openStore(open, dbPath(tmp));
      await run({ s, tmp, ...spy(s) });
      s.close();
    },
  };
}

export const queueCases: ContractCase[] = [
  queueCase('write queue: enqueue never writes on the caller stack; flush writes batches of <= DEFAULT_WRITE_BATCH', ({ s, state, sink }) => {
    const q = new WriteQueue(sink, { flushIntervalMs: 60_000 });
    const n = DEFAULT_WRITE_BATCH * 2 + DEFAULT_WRITE_BATCH / 2;
    for (const c of calls(n)) assert.equal(q.enqueue(c), true);
    assert.equal(q.pending, n);
    assert.equal(count(s.driver, 'calls'), 0);
    assert.equal(q.writeNow(), n);
    assert.equal(q.pending, 0);
    assert.deepEqual(state.batches, [DEFAULT_WRITE_BATCH, DEFAULT_WRITE_BATCH, DEFAULT_WRITE_BATCH / 2]);
    assert.deepEqual(readCalls(s.driver), calls(n));
  }),
  queueCase('write queue: timer flushes after flushIntervalMs; full batches flush one per event-loop turn', async ({ s, state, sink }) => {
    const timed = new WriteQueue(s, { flushIntervalMs: 5 });
    timed.enqueue(makeCall(0));
    await tick(50);
    assert.equal(timed.pending, 0);
    assert.equal(count(s.driver, 'calls'), 1);

    const full = new WriteQueue(sink, { flushIntervalMs: 60_000, batchSize: 10 });
    for (const c of calls(35, 1)) full.enqueue(c);
    assert.equal(full.pending, 35);
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(state.batches, [10, 10, 10]);
    assert.equal(full.pending, 5);
    await full.drain();
    assert.equal(count(s.driver, 'calls'), 36);
  }),
  queueCase('write queue: drain writes everything, in order', async ({ s }) => {
    const q = new WriteQueue(s, { flushIntervalMs: 60_000 });
    for (const c of calls(5000)) q.enqueue(c);
    await q.drain();
    assert.equal(q.pending, 0);
    assert.deepEqual(readCalls(s.driver), calls(5000));
    // Tags live in calls.tags (compared above); only entity keys get postings.
    assert.equal(count(s.driver, 'call_postings'), 0);
    assert.deepEqual(s.driver.prepare('SELECT DISTINCT key FROM call_tag_keys ORDER BY key').all(), [{ key: 'env' }, { key: 'team' }]);
  }),
  queueCase('write queue: failed flushes keep records, report once, and drain retries until written', async ({ s, state, sink }) => {
    const errors: WriteQueueError[] = [];
    const q = new WriteQueue(sink, { flushIntervalMs: 2, onError: (e) => errors.push(e) });
    for (const c of calls(1500)) q.enqueue(c);
    state.failures = 3;
    assert.equal(q.writeNow(), 0);
    assert.equal(q.writeNow(), 0);
    assert.equal(q.pending, 1500);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.kind, 'retrying');
    assert.equal((errors[0]!.cause as { code: string }).code, 'SQLITE_BUSY');
    await q.drain();
    assert.equal(q.pending, 0);
    assert.equal(errors.length, 1);
    assert.deepEqual(readCalls(s.driver), calls(1500));
  }),
  queueCase('write queue: drain gives up after its attempts and leaves the records pending', async ({ s, state, sink }) => {
    const q = new WriteQueue(sink, { flushIntervalMs: 1 });
    q.enqueue(makeCall(0));
    state.failures = 1000;
    await assert.rejects(q.drain(3), (e: unknown) => e instanceof WriteQueueError && (e.cause as { code?: string }).code === 'SQLITE_BUSY');
    assert.equal(q.pending, 1);
    state.failures = 0;
    await q.drain();
    assert.equal(count(s.driver, 'calls'), 1);
  }),
  queueCase('write queue: a record that can never be stored is rejected loudly, the rest are written', async ({ s }) => {
    const errors: WriteQueueError[] = [];
    const q = new WriteQueue(s, { flushIntervalMs: 60_000, onError: (e) => errors.push(e) });
    const records = calls(30);
    records[7] = { ...makeCall(7), streamed: 'yes' as unknown as boolean };
    for (const c of records) q.enqueue(c);
    await q.drain();
    assert.equal(q.pending, 0);
    assert.equal(count(s.driver, 'calls'), 29);
    assert.deepEqual(errors.map((e) => [e.kind, e.count]), [['rejected', 1]]);
  }),
  queueCase('write queue: a full buffer refuses new records (enqueue false) and keeps the oldest', async ({ s, state, sink }) => {
    const errors: WriteQueueError[] = [];
    const q = new WriteQueue(sink, { flushIntervalMs: 60_000, maxBuffered: 5, onError: (e) => errors.push(e) });
    state.failures = 1;
    for (const c of calls(5)) assert.equal(q.enqueue(c), true);
    q.writeNow();
    assert.equal(q.enqueue(makeCall(5)), false);
    assert.equal(q.enqueue(makeCall(6)), false);
    assert.equal(q.refused, 2);
    assert.deepEqual(errors.map((e) => e.kind), ['retrying', 'overflow']);
    await q.drain();
    assert.deepEqual(readCalls(s.driver), calls(5));
    assert.equal(q.enqueue(makeCall(7)), true);
    await q.drain();
    assert.equal(count(s.driver, 'calls'), 6);
  }),
  queueCase('write queue: onHandled reports records as they leave the queue: written, rejected, refused or spilled', async ({ s, state, sink, tmp }) => {
    const handled: number[] = [];
    const spill = new SpillFile(join(tmp, 'calls.spill'), 4000);
    const q = new WriteQueue(sink, { flushIntervalMs: 10, maxBuffered: 6, spill, spillAfter: 4, onHandled: (rs) => handled.push(...rs.map((r) => r.ts - makeCall(0).ts)) });
    const records = calls(3);
    records[1] = { ...makeCall(1), streamed: 'yes' as unknown as boolean }; // rejected
    for (const c of records) q.enqueue(c);
    q.writeNow();
    assert.deepEqual(handled, [0, 1, 2]);
    state.failures = 1000; // the store fails: the oldest pending records move to the spill file
    for (const c of calls(6, 3)) q.enqueue(c);
    q.writeNow();
    assert.ok(spill.size > 0);
    assert.deepEqual(handled.slice(3), calls(spill.size, 3).map((r) => r.ts - makeCall(0).ts), 'spilled records, oldest first');
    let next = 100;
    while (q.enqueue(makeCall(next))) next++; // fill the memory buffer and the spill file until refused
    assert.equal(q.refused, 1);
    assert.equal(handled.at(-1), next, 'the refused record');
    state.failures = 0;
    await q.drain();
    // Replayed spill records are new objects, reported again when written; every stored or dropped record was reported.
    const stored = readCalls(s.driver).map((r) => r.ts - makeCall(0).ts);
    const reported = new Set(handled);
    assert.ok(stored.every((t) => reported.has(t)), 'every written record');
    assert.ok(reported.has(1) && reported.has(next), 'the rejected and the refused record');
    assert.equal(stored.length, 2 + 6 + (next - 100), 'written: all but the rejected and the refused');
  }),
  queueCase('write queue: flush() writes what is pending and resolves true, or false while the store fails', async ({ s, state, sink }) => {
    const q = new WriteQueue(sink, { flushIntervalMs: 60_000 });
    for (const c of calls(1200)) q.enqueue(c);
    assert.equal(await q.flush(), true);
    assert.equal(count(s.driver, 'calls'), 1200);
    q.enqueue(makeCall(1200));
    state.failures = 1;
    assert.equal(await q.flush(), false, 'the store failed: the record still waits');
    assert.equal(q.pending, 1);
    assert.equal(await q.flush(), true);
    assert.equal(count(s.driver, 'calls'), 1201);
  }),
  {
    name: 'spill file: a marker line written with each append is read back by markOf and is never a record',
    run(_open, tmp) {
      const path = join(tmp, 'calls.spill');
      let handled = 0;
      const spill = new SpillFile(path, 1 << 20, (records) => ({ run: 'run-a', handled: (handled += records.length), at: 1 }));
      assert.equal(spill.append(calls(3)), 3);
      assert.equal(spill.append(calls(2, 3)), 2);
      assert.equal(spill.size, 5);
      const reopened = new SpillFile(path, 1 << 20);
      assert.equal(reopened.size, 5, 'marker lines are not counted as records');
      assert.equal(reopened.markOf('run-a'), 5);
      assert.equal(reopened.markOf('run-b'), 0);
      assert.deepEqual(reopened.readFrom(0), calls(5));
      assert.deepEqual(reopened.readFrom(3), calls(2, 3), 'positions count records only');
      reopened.clear();
      assert.equal(reopened.markOf('run-a'), 0, 'cleared: the file is gone');
    },
  },
];
