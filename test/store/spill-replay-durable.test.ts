import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallWriter, type CallWriter } from '../../src/store/call-writer.js';
import { forgetStaleMarks } from '../../src/store/writer-marks.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { SpillFile } from '../../src/store/spill.js';
import { WriteQueue } from '../../src/store/write-queue.js';
import { AsyncWriteQueue } from '../../src/store/async-write-queue.js';
import { startThreadWriter, type ThreadWriter, type ThreadWriterOptions } from '../../src/store/writer-client.js';
import type { TestStore } from '../support/store.js';
import { waitFor } from '../support/proxy-harness.js';
import { NODE_ENTRY } from '../support/spawn-cli.js';
import { FlakyStore, count, makeCall, openStore } from './fixtures.js';

/**
 * Records in the spill file are on disk: a kill -9 (or a dead writer thread) must not lose
 * them. Replaying the file must not delete it before its records are in the database.
 */
describe('spill file replay keeps the records on disk until they are written', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-rv-spill-replay-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a restart after part of a replay was stored replays only the rest; the file and its mark go once all of it is stored', () => {
    const dbPath = path.join(dir, 'tokometer.db');
    const file = path.join(dir, 'tokometer.db.spill');
    const store: TestStore = openStore(openDriver, dbPath);
    new SpillFile(file).append([1, 2, 3, 4, 5].map((i) => makeCall(i)));
    const writer = createCallWriter(openDriver(dbPath));
    try {
      // The first batch of the replay is stored, then the disk fails (and the process is killed).
      let batches = 1;
      const failing: Pick<CallWriter, 'insertCalls' | 'spillMark' | 'forgetSpillMark'> = {
        insertCalls: (records, ...marks) => {
          if (batches-- <= 0) throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
          writer.insertCalls(records, ...marks);
        },
        spillMark: (id) => writer.spillMark(id),
        forgetSpillMark: (id) => writer.forgetSpillMark(id),
      };
      new WriteQueue(failing, { spill: new SpillFile(file), batchSize: 2 }).writeNow();
      expect(count(store.driver, 'calls')).toBe(2);
      const spill = new SpillFile(file);
      expect(spill.size).toBe(5);
      expect(writer.spillMark(spill.id)).toBe(2);
      // A stale-mark sweep (a closing writer's) leaves the file's mark alone.
      forgetStaleMarks(store.driver, Date.now() + 365 * 24 * 3600_000);
      expect(writer.spillMark(spill.id)).toBe(2);
      const queue = new WriteQueue(writer, { spill });
      expect(queue.pending).toBe(3);
      queue.writeNow();
      const ts = store.driver.prepare('SELECT ts FROM calls ORDER BY ts').all<{ ts: number }>().map((r) => r.ts);
      expect(ts).toEqual([1, 2, 3, 4, 5].map((i) => makeCall(i).ts));
      expect(existsSync(file)).toBe(false);
      expect(count(store.driver, 'writer_marks')).toBe(0);
    } finally {
      writer.close();
      store.close();
    }
  });

  it('a spill file from before file ids gets one, kept across opens; records after it keep their positions', () => {
    const file = path.join(dir, 'db.spill');
    appendFileSync(file, [1, 2].map((i) => JSON.stringify(makeCall(i)) + '\n').join(''));
    const first = new SpillFile(file);
    expect(readFileSync(file, 'utf8')).toContain(`{"spillFile":${JSON.stringify(first.id)}}`);
    first.append([makeCall(3)]);
    const again = new SpillFile(file);
    expect(again.id).toBe(first.id);
    expect(again.size).toBe(3);
    expect(again.readFrom(1).map((r) => r.ts)).toEqual([2, 3].map((i) => makeCall(i).ts));
    again.clear();
    expect(existsSync(file)).toBe(false);
    expect(again.id).not.toBe(first.id);
  });

  it('a process killed right after a start that replays a spill file still finds those records at the next start', () => {
    const file = path.join(dir, 'db.spill');
    new SpillFile(file).append([1, 2, 3, 4, 5].map((i) => makeCall(i)));
    // Start: the queue takes the spill file back (the database works; the first write is one flush interval away).
    const store = new FlakyStore();
    store.healthy = true;
    const queue = new WriteQueue(store as unknown as CallWriter, { spill: new SpillFile(file), flushIntervalMs: 50 });
    expect(queue.pending).toBe(5);
    // kill -9 here, before the timer wrote them: nothing was written...
    expect(store.written).toHaveLength(0);
    // ...and the next start must replay them again.
    const next = new SpillFile(file);
    expect(next.size).toBe(5);
    // Once written, the file goes.
    queue.writeNow();
    expect(store.written).toHaveLength(5);
    expect(existsSync(file)).toBe(false);
    expect(queue.spilled).toBe(0);
  });

  it('PostgreSQL: a replica killed right after a start that replays its spill file still finds those records at the next start', () => {
    const file = path.join(dir, 'db.spill');
    new SpillFile(file).append([1, 2, 3, 4, 5].map((i) => makeCall(i)));
    const sink = { write: async () => {}, isPermanent: () => false };
    const queue = new AsyncWriteQueue(sink, { spill: new SpillFile(file), flushIntervalMs: 50 });
    expect(queue.pending).toBe(5);
    // kill -9 before the first batch went out: the next start must replay them again.
    expect(new SpillFile(file).size).toBe(5);
  });

  it('a writer thread that dies before writing the records it took back from the spill file at start: the new thread still writes them', { timeout: 30_000 }, async () => {
    const dbPath = path.join(dir, 'tokometer.db');
    const spillPath = path.join(dir, 'tokometer.db.spill');
    const store: TestStore = openStore(openDriver, dbPath);
    // Left by an earlier run (e.g. it spilled during a disk-full outage and was stopped).
    new SpillFile(spillPath).append([1, 2, 3, 4, 5].map((i) => makeCall(i)));
    const restarted: string[] = [];
    const options: ThreadWriterOptions = {
      entry: NODE_ENTRY,
      dbPath,
      spillPath,
      spillMaxBytes: 1 << 20,
      // serve's default is 50 ms: the window is short but real; a longer one makes the race deterministic.
      flushIntervalMs: 2_000,
      maxBuffered: 10_000,
      spillAfter: 5_000,
      onError: () => {},
      onRecover: () => {},
      onThreadLost: () => {},
      onThreadRestarted: (m) => restarted.push(m),
    };
    let writer: ThreadWriter | undefined;
    try {
      writer = await startThreadWriter(options);
      // The thread read the file into memory; the file stays until its records are stored.
      expect(existsSync(spillPath)).toBe(true);
      await (writer as unknown as { worker: Worker }).worker.terminate();
      await waitFor(() => restarted.length === 1, 15_000, 'a new thread');
      await writer.drain();
      expect(count(store.driver, 'calls')).toBe(5);
    } finally {
      await writer?.close();
      store.close();
    }
  });

  it('a writer thread that dies after the store recovered, while it writes back what it had spilled: the spilled records are neither in the file nor re-posted', { timeout: 40_000 }, async () => {
    const dbPath = path.join(dir, 'tokometer.db');
    const spillPath = path.join(dir, 'tokometer.db.spill');
    const store: TestStore = openStore(openDriver, dbPath);
    const restarted: string[] = [];
    let writer: ThreadWriter | undefined;
    try {
      writer = await startThreadWriter({
        entry: NODE_ENTRY,
        dbPath,
        spillPath,
        spillMaxBytes: 1 << 20,
        flushIntervalMs: 1_500,
        busyTimeoutMs: 200,
        maxBuffered: 10_000,
        spillAfter: 10,
        onError: () => {},
        onRecover: () => {},
        onThreadLost: () => {},
        onThreadRestarted: (m) => restarted.push(m),
      });
      const other = openDriver(dbPath);
      other.exec('BEGIN IMMEDIATE'); // another process holds the write lock: the writes fail
      for (let i = 0; i < 50; i++) writer.enqueue(makeCall(i));
      await waitFor(() => existsSync(spillPath), 15_000, 'records to be spilled');
      other.exec('COMMIT');
      other.close();
      // The next write succeeds (the 5 kept in memory); the 45 spilled ones come back into memory, the file goes.
      await waitFor(() => count(store.driver, 'calls') >= 5, 15_000, 'the store to recover');
      await (writer as unknown as { worker: Worker }).worker.terminate();
      await waitFor(() => restarted.length === 1, 15_000, 'a new thread');
      await writer.drain();
      const ts = store.driver.prepare('SELECT ts FROM calls').all<{ ts: number }>().map((r) => r.ts);
      expect(new Set(ts).size).toBe(ts.length);
      expect(ts).toHaveLength(50);
    } finally {
      await writer?.close();
      store.close();
    }
  });
});
