import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import type { TestStore } from '../support/store.js';
import type { WriteQueueError } from '../../src/store/queue-health.js';
import { startThreadWriter, type ThreadWriter, type ThreadWriterOptions } from '../../src/store/writer-client.js';
import { waitFor } from '../support/proxy-harness.js';
import { NODE_ENTRY } from '../support/spawn-cli.js';
import { count, makeCall, openStore } from './fixtures.js';

/**
 * Why the writer is a thread: a write lock held by another process (keys create, a
 * migration, a backup) makes SQLite wait up to its busy timeout (5 s). On the main thread
 * that froze every call in flight; on the writer thread the event loop runs on. Here the
 * thread waits BUSY_TIMEOUT_MS, long enough to see the event loop run meanwhile. The other
 * writer-thread cases run on both runtimes in the store contract (contract-writer-thread.ts).
 */
/** The writer thread's busy timeout in these cases (production: 5 s), ms. */
const BUSY_TIMEOUT_MS = 1500;

/** The thread writer's options in these cases, `overrides` on top. */
function threadOptions(dbPath: string, overrides: Partial<ThreadWriterOptions> = {}): ThreadWriterOptions {
  return {
    entry: NODE_ENTRY,
    dbPath,
    spillMaxBytes: 1 << 20,
    flushIntervalMs: 20,
    busyTimeoutMs: BUSY_TIMEOUT_MS,
    maxBuffered: 10_000,
    spillAfter: 5_000,
    onError: () => {},
    onRecover: () => {},
    onThreadLost: () => {},
    ...overrides,
  };
}

describe('the call-record writer thread under a lock held elsewhere', () => {
  let dir: string;
  let store: TestStore;
  let writer: ThreadWriter | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-writer-'));
    store = openStore(openDriver, path.join(dir, 'tokometer.db'));
  });
  afterEach(async () => {
    await writer?.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stalls the writer thread, not the event loop; the records wait and are written once the lock goes', { timeout: 20_000 }, async () => {
    const errors: WriteQueueError[] = [];
    let recovered = 0;
    const dbPath = path.join(dir, 'tokometer.db');
    writer = await startThreadWriter(
      threadOptions(dbPath, { onError: (e) => errors.push(e), onRecover: () => recovered++, onThreadLost: (m) => expect.fail(m) }),
    );
    const other = openDriver(dbPath);
    other.exec('BEGIN IMMEDIATE');
    for (let i = 0; i < 50; i++) writer.enqueue(makeCall(i));
    let worstLateMs = 0;
    for (let i = 0; i < 100; i++) {
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, 10));
      worstLateMs = Math.max(worstLateMs, performance.now() - t0 - 10);
    }
    expect(worstLateMs).toBeLessThan(500);
    await waitFor(() => writer!.degraded, 8000, 'the busy store to be reported');
    expect(errors.map((e) => e.kind)).toEqual(['retrying']);
    expect(writer.pending).toBe(50);
    other.exec('COMMIT');
    other.close();
    await waitFor(() => count(store.driver, 'calls') === 50, 15_000, 'the records to be written');
    await waitFor(() => recovered === 1 && !writer!.degraded, 2000, 'recovery');
  });

  it('a thread that dies after spilling records it had not confirmed: the new thread replays the spill file and skips their re-posted copies', { timeout: 30_000 }, async () => {
    const dbPath = path.join(dir, 'tokometer.db');
    const spillPath = path.join(dir, 'tokometer.db.spill');
    const lost: string[] = [];
    const restarted: string[] = [];
    writer = await startThreadWriter(
      threadOptions(dbPath, {
        spillPath,
        // No status reports: nothing is confirmed to the main thread unless it asks.
        statusIntervalMs: 60_000,
        spillAfter: 10,
        onThreadLost: (m) => lost.push(m),
        onThreadRestarted: (m) => restarted.push(m),
      }),
    );
    const other = openDriver(dbPath);
    other.exec('BEGIN IMMEDIATE');
    for (let i = 0; i < 50; i++) writer.enqueue(makeCall(i));
    // The write waits out the busy timeout, fails, and the oldest 45 go to the spill file.
    await waitFor(() => existsSync(spillPath) && readFileSync(spillPath, 'utf8').includes('"writerMark"'), 15_000, 'records to be spilled');
    expect(writer.pending).toBe(50);
    await (writer as unknown as { worker: Worker }).worker.terminate();
    await waitFor(() => restarted.length === 1, 15_000, 'a new thread');
    expect(lost[0]).toMatch(/gets the 50 record\(s\) it had not confirmed/);
    expect(restarted[0]).toMatch(/45 record\(s\) the old one had already stored were not stored again/);
    other.exec('COMMIT');
    other.close();
    await writer.drain();
    const ts = store.driver.prepare('SELECT ts FROM calls').all<{ ts: number }>().map((r) => r.ts);
    expect(ts).toHaveLength(50);
    expect(new Set(ts).size).toBe(50);
    expect(existsSync(spillPath)).toBe(false);
  });

  it('a thread closing while another connection holds the lock gives up its last writes before the main thread would end it (ending a Node thread inside SQLite\'s busy wait aborts the process)', { timeout: 20_000 }, async () => {
    const dbPath = path.join(dir, 'tokometer.db');
    // serve's own busy timeout: longer than the 2 s close() gives the thread to exit.
    writer = await startThreadWriter(threadOptions(dbPath, { busyTimeoutMs: 5000 }));
    writer.enqueue(makeCall(1, { tags: { user_id: 'u_1' } }));
    expect(await writer.flush()).toBe(true);
    const other = openDriver(dbPath);
    other.exec('BEGIN IMMEDIATE');
    const t0 = performance.now();
    // Its marks and its entity fold wait for the lock after it answered close.
    await writer.close();
    writer = undefined;
    const closedMs = performance.now() - t0;
    other.exec('COMMIT');
    other.close();
    // Exited by itself (not ended at 2 s, which would have aborted this process), and promptly.
    expect(closedMs).toBeLessThan(1500);
    expect(count(store.driver, 'calls')).toBe(1);
  });

  it("the shutdown's drain, while another connection holds the lock, spills what it cannot write within seconds, not 20 busy timeouts", { timeout: 30_000 }, async () => {
    const dbPath = path.join(dir, 'tokometer.db');
    const spillPath = path.join(dir, 'tokometer.db.spill');
    // serve's own busy timeout: 20 attempts of it took ~100 s, past any stop timeout (docker's: 10 s).
    writer = await startThreadWriter(threadOptions(dbPath, { busyTimeoutMs: 5000, spillPath }));
    const other = openDriver(dbPath);
    other.exec('BEGIN IMMEDIATE');
    for (let i = 0; i < 10; i++) writer.enqueue(makeCall(i));
    const t0 = performance.now();
    await writer.drain();
    const drainedMs = performance.now() - t0;
    other.exec('COMMIT');
    other.close();
    expect(drainedMs).toBeLessThan(12_000);
    expect(writer.spilled).toBe(10);
    expect(readFileSync(spillPath, 'utf8').split('\n').filter((l) => l.startsWith('{"ts"')).length).toBe(10);
  });
});
