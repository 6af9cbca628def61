import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallWriter } from '../../src/store/call-writer.js';
import type { WriteQueueError } from '../../src/store/queue-health.js';
import { SpillFile } from '../../src/store/spill.js';
import { WriteQueue } from '../../src/store/write-queue.js';
import { AsyncWriteQueue } from '../../src/store/async-write-queue.js';
import { FlakyStore, makeCall } from './fixtures.js';

/** One record larger than the whole spill file must not keep every later record out of it. */
describe('a record that can never fit the spill file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-spill-oversized-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('does not wedge the (empty) spill file: the good records behind it are spilled at shutdown instead of lost', async () => {
    const store = new FlakyStore(); // the database is full
    const errors: WriteQueueError[] = [];
    // store.spill_max_bytes: 8 KiB; one record with a long tag value (an app's prompt id, a long error) is bigger.
    const spill = new SpillFile(path.join(dir, 'db.spill'), 8 * 1024);
    const queue = new WriteQueue(store as unknown as CallWriter, { spill, spillAfter: 5, flushIntervalMs: 5, onError: (e) => errors.push(e) });
    queue.enqueue(makeCall(0, { tags: { note: 'x'.repeat(10_000) } }));
    for (let i = 1; i <= 10; i++) queue.enqueue(makeCall(i));
    queue.writeNow();
    // The file is empty and has room for all ten small records (~600 bytes each)...
    await queue.drain(2).catch(() => {});
    // ...so the ten go there; the one that can never fit is dropped and reported with the reason.
    expect(spill.size).toBe(10);
    expect(queue.pending).toBe(0);
    const rejected = errors.filter((e) => e.kind === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(String((rejected[0]!.cause as Error).message)).toMatch(/larger than the spill file can hold/);
    expect(new SpillFile(path.join(dir, 'db.spill')).size).toBe(10);
  });

  it('PostgreSQL queue: the oversized record is dropped and reported, the good ones behind it spilled', async () => {
    const errors: WriteQueueError[] = [];
    const spill = new SpillFile(path.join(dir, 'db.spill'), 8 * 1024);
    const sink = { write: async () => Promise.reject(new Error('connection refused')), isPermanent: () => false };
    const queue = new AsyncWriteQueue(sink, { spill, spillAfter: 5, flushIntervalMs: 5, maxRetryMs: 5, onError: (e) => errors.push(e) });
    queue.enqueue(makeCall(0, { tags: { note: 'x'.repeat(10_000) } }));
    for (let i = 1; i <= 10; i++) queue.enqueue(makeCall(i));
    await queue.drain(2).catch(() => {});
    expect(spill.size).toBe(10);
    expect(queue.pending).toBe(0);
    expect(errors.filter((e) => e.kind === 'rejected')).toHaveLength(1);
    await queue.close();
  });
});
