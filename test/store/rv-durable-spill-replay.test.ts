import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallWriter } from '../../src/store/call-writer.js';
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
      // The thread read the file into memory and removed it.
      expect(existsSync(spillPath)).toBe(false);
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
