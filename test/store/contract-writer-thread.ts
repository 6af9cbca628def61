import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { OpenDriver } from '../../src/store/types.js';
import type { TestStore } from '../support/store.js';
import { WriteQueue } from '../../src/store/write-queue.js';
import { startThreadWriter, type ThreadWriterOptions } from '../../src/store/writer-client.js';
import { count, dbPath, makeCall, openStore, tick, type ContractCase } from './fixtures.js';

/** The built entry (`npm run build:js`); the thread runs it on the same runtime as the case. */
const ENTRY = fileURLToPath(new URL('../../dist/js/main.js', import.meta.url));

async function until(predicate: () => boolean, what: string, ms = 3000): Promise<void> {
  for (const end = Date.now() + ms; !predicate(); await tick(10)) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}

function setup(open: OpenDriver, tmp: string): { store: TestStore; lost: string[]; options: ThreadWriterOptions } {
  const path = dbPath(tmp);
  const store = openStore(open, path); // migrated, as startProxy does before the thread starts
  const lost: string[] = [];
  const options: ThreadWriterOptions = {
    entry: ENTRY,
    dbPath: path,
    spillMaxBytes: 1 << 20,
    flushIntervalMs: 20,
    maxBuffered: 10_000,
    spillAfter: 5_000,
    onError: (e) => assert.fail(`unexpected write error: ${e.message}`),
    onRecover: () => {},
    fallback: () => new WriteQueue(store, { flushIntervalMs: 20 }),
    onThreadLost: (m) => lost.push(m),
  };
  return { store, lost, options };
}

export const writerThreadCases: ContractCase[] = [
  {
    name: 'the writer thread writes what is enqueued; flush() returns only once every record is in the database',
    async run(open, tmp) {
      const { store, options } = setup(open, tmp);
      const writer = await startThreadWriter(options);
      for (let i = 0; i < 300; i++) assert.equal(writer.enqueue(makeCall(i)), true);
      assert.equal(count(store.driver, 'calls'), 0, 'nothing is written on this thread');
      writer.flush();
      assert.equal(count(store.driver, 'calls'), 300);
      for (let i = 300; i < 350; i++) writer.enqueue(makeCall(i));
      await writer.drain();
      assert.equal(count(store.driver, 'calls'), 350);
      await until(() => writer.pending === 0, 'the status report');
      await writer.close();
      store.close();
    },
  },
  {
    name: 'if the writer thread dies, records it had not confirmed are written on the main thread, and so is everything after',
    async run(open, tmp) {
      const { store, lost, options } = setup(open, tmp);
      const writer = await startThreadWriter(options);
      for (let i = 0; i < 40; i++) writer.enqueue(makeCall(i));
      writer.flush();
      await until(() => writer.pending === 0, 'the thread to confirm the first records');
      for (let i = 40; i < 70; i++) writer.enqueue(makeCall(i));
      await (writer as unknown as { worker: Worker }).worker.terminate();
      await until(() => lost.length === 1, 'the takeover');
      assert.match(lost[0] as string, /writer thread exited with code \d+; 30 record\(s\) it had not confirmed/);
      writer.enqueue(makeCall(70));
      await writer.drain();
      const ts = store.driver.prepare('SELECT ts FROM calls').all<{ ts: number }>().map((r) => r.ts);
      assert.equal(ts.length, 71);
      assert.equal(new Set(ts).size, 71, 'no record written twice');
      store.close();
    },
  },
  {
    name: 'closing the writer thread writes what was enqueued after the last drain first',
    async run(open, tmp) {
      const { store, options } = setup(open, tmp);
      const writer = await startThreadWriter({ ...options, flushIntervalMs: 60_000 });
      for (let i = 0; i < 20; i++) writer.enqueue(makeCall(i));
      await writer.drain();
      for (let i = 20; i < 45; i++) writer.enqueue(makeCall(i));
      await tick(60); // posted to the thread, which holds them until its (long) flush interval
      assert.equal(count(store.driver, 'calls'), 20);
      await writer.close();
      assert.equal(count(store.driver, 'calls'), 45);
      const second = await startThreadWriter({ ...options, flushIntervalMs: 60_000 });
      for (let i = 45; i < 50; i++) second.enqueue(makeCall(i)); // still in this thread's outbox
      await second.close();
      assert.equal(count(store.driver, 'calls'), 50);
      store.close();
    },
  },
  {
    name: 'the writer thread refuses to start when its database cannot be opened',
    async run(open, tmp) {
      const { store, options } = setup(open, tmp);
      await assert.rejects(startThreadWriter({ ...options, dbPath: dbPath(tmp, 'no-such-dir/x.db') }));
      store.close();
    },
  },
];
