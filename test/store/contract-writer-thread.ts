import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { OpenDriver } from '../../src/store/types.js';
import type { TestStore } from '../support/store.js';
import { createCallWriter } from '../../src/store/call-writer.js';
import { startThreadWriter, type ThreadWriter, type ThreadWriterOptions } from '../../src/store/writer-client.js';
import { count, dbPath, makeCall, openStore, tick, type ContractCase } from './fixtures.js';

/** The built entry (`npm run build:js`); the thread runs it on the same runtime as the case. */
const ENTRY = fileURLToPath(new URL('../../dist/js/main.js', import.meta.url));

async function until(predicate: () => boolean, what: string, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !predicate(); await tick(5)) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}

interface Setup {
  store: TestStore;
  lost: string[];
  restarted: string[];
  options: ThreadWriterOptions;
}

function setup(open: OpenDriver, tmp: string): Setup {
  const path = dbPath(tmp);
  const store = openStore(open, path); // migrated, as startProxy does before the thread starts
  const lost: string[] = [];
  const restarted: string[] = [];
  const options: ThreadWriterOptions = {
    entry: ENTRY,
    dbPath: path,
    spillMaxBytes: 1 << 20,
    flushIntervalMs: 20,
    maxBuffered: 10_000,
    spillAfter: 5_000,
    onError: (e) => assert.fail(`unexpected write error: ${e.message}`),
    onRecover: () => {},
    onThreadLost: (m) => lost.push(m),
    onThreadRestarted: (m) => restarted.push(m),
  };
  return { store, lost, restarted, options };
}

/** The writer's current thread (a test reaching in to kill it). */
const threadOf = (writer: ThreadWriter) => (writer as unknown as { worker: Worker | null }).worker;

/** Every stored call's ts: the cases give each record its own. */
const storedTs = (store: TestStore) => store.driver.prepare('SELECT ts FROM calls').all<{ ts: number }>().map((r) => r.ts);

export const writerThreadCases: ContractCase[] = [
  {
    name: 'the writer thread writes what is enqueued; flush() resolves true once every record is in the database, without blocking the event loop',
    async run(open, tmp) {
      const { store, options } = setup(open, tmp);
      const writer = await startThreadWriter({ ...options, flushIntervalMs: 60_000 });
      for (let i = 0; i < 300; i++) assert.equal(writer.enqueue(makeCall(i)), true);
      assert.equal(count(store.driver, 'calls'), 0, 'nothing is written on this thread');
      const flushed = writer.flush();
      assert.equal(count(store.driver, 'calls'), 0, 'flush() returns at once: the thread writes while the event loop runs on');
      assert.equal(await flushed, true);
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
    name: 'status reports confirm what the thread wrote also after it sat idle (its reporter sleeps while nothing is pending and wakes on the next records)',
    async run(open, tmp) {
      const { store, options } = setup(open, tmp);
      const writer = await startThreadWriter(options);
      for (let i = 0; i < 50; i++) writer.enqueue(makeCall(i));
      await until(() => writer.pending === 0, 'the status report of the first records');
      // Many status intervals with nothing pending: the reporter has stopped.
      await tick(200);
      for (let i = 50; i < 80; i++) writer.enqueue(makeCall(i));
      assert.equal(writer.pending, 30);
      await until(() => writer.pending === 0, 'the status report of the records sent after the idle time');
      assert.equal(count(store.driver, 'calls'), 80);
      await writer.close();
      store.close();
    },
  },
  {
    name: 'records a dead writer thread had written but not confirmed are not written again by the thread that replaces it',
    async run(open, tmp) {
      const { store, lost, restarted, options } = setup(open, tmp);
      // No status reports: the main thread sees nothing confirmed until it asks.
      const writer = await startThreadWriter({ ...options, statusIntervalMs: 60_000 });
      for (let i = 0; i < 100; i++) writer.enqueue(makeCall(i));
      await until(() => count(store.driver, 'calls') === 100, 'the thread to write the records');
      assert.equal(writer.pending, 100, 'written, but not confirmed to the main thread');
      await threadOf(writer)?.terminate();
      await until(() => restarted.length === 1, 'a new thread');
      assert.match(lost[0] as string, /writer thread exited with code \d+; a new one starts and gets the 100 record\(s\) it had not confirmed/);
      assert.match(restarted[0] as string, /100 record\(s\) the old one had already stored were not stored again/);
      for (let i = 100; i < 110; i++) writer.enqueue(makeCall(i));
      await writer.drain();
      const ts = storedTs(store);
      assert.equal(ts.length, 110);
      assert.equal(new Set(ts).size, 110, 'no record written twice');
      assert.equal(writer.pending, 0);
      await writer.close();
      assert.equal(count(store.driver, 'writer_marks'), 0, 'a closed run leaves no mark');
      store.close();
    },
  },
  {
    name: 'killing the writer thread again and again mid-run loses no record and writes none twice',
    async run(open, tmp) {
      const { store, lost, restarted, options } = setup(open, tmp);
      const writer = await startThreadWriter({ ...options, flushIntervalMs: 3 });
      let n = 0;
      for (let kill = 1; kill <= 4; kill++) {
        // Records keep coming while the thread writes, reports and dies at an arbitrary point.
        const until_ = Date.now() + 40 + kill * 7;
        while (Date.now() < until_) {
          for (let i = 0; i < 25; i++) assert.equal(writer.enqueue(makeCall(n++)), true);
          await tick(1);
        }
        await threadOf(writer)?.terminate();
        for (let i = 0; i < 25; i++) writer.enqueue(makeCall(n++));
        await until(() => restarted.length === kill, `new thread ${kill}`);
      }
      await writer.drain();
      const ts = storedTs(store);
      assert.equal(lost.length, 4);
      assert.equal(ts.length, n, 'rows = records');
      assert.equal(new Set(ts).size, n, 'no record written twice');
      await writer.close();
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
  {
    name: 'an idle writer thread writes the entity rows it holds once their hold has passed, without another call or close()',
    async run(open, tmp) {
      const { store, options } = setup(open, tmp);
      const writer = await startThreadWriter({ ...options, entityHoldMs: 200 });
      const pending = () => count(store.driver, 'entity_pending');
      const userCalls = () => store.driver.prepare("SELECT COALESCE(SUM(calls), 0) AS n FROM entity_months WHERE key = 'user_id' AND seg_key = ''").get<{ n: number }>()!.n;
      // A writer starts unsure of what a predecessor left pending, so its first transaction writes its entity rows at once.
      writer.enqueue(makeCall(1, { tags: { user_id: 'u_1' } }));
      assert.equal(await writer.flush(), true);
      assert.equal(userCalls(), 1);
      // The next transaction holds them.
      writer.enqueue(makeCall(2, { tags: { user_id: 'u_1' } }));
      writer.enqueue(makeCall(3, { tags: { user_id: 'u_2' } }));
      assert.equal(await writer.flush(), true);
      assert.equal(pending(), 1, 'the second transaction\'s calls wait in entity_pending');
      assert.equal(userCalls(), 1);
      await until(() => pending() === 0, 'the held entity rows to be written');
      assert.equal(userCalls(), 3);
      await writer.close();
    },
  },
  {
    name: 'a writer thread that starts after one stopped without closing writes the calls it left pending, with no call of its own',
    async run(open, tmp) {
      const { store, options } = setup(open, tmp);
      // A writer that dies holding its fold: its connection closes without close().
      const deadConnection = open(options.dbPath);
      const dead = createCallWriter(deadConnection, undefined, { entityHoldMs: 1e12 });
      dead.insertCalls([makeCall(1, { tags: { user_id: 'u_1' } })]);
      dead.insertCalls([makeCall(2, { tags: { user_id: 'u_1' } }), makeCall(3, { tags: { user_id: 'u_2' } })]);
      deadConnection.close();
      const pending = () => count(store.driver, 'entity_pending');
      assert.equal(pending(), 1);
      const writer = await startThreadWriter({ ...options, entityHoldMs: 100 });
      await until(() => pending() === 0, 'the calls left pending to be written');
      const users = store.driver.prepare("SELECT value, calls FROM entity_months WHERE key = 'user_id' AND seg_key = '' ORDER BY value").all();
      assert.deepEqual(users, [
        { value: 'u_1', calls: 2 },
        { value: 'u_2', calls: 1 },
      ]);
      await writer.close();
    },
  },
];
