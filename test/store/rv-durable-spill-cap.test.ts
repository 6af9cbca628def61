import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallWriter } from '../../src/store/call-writer.js';
import type { WriteQueueError } from '../../src/store/queue-health.js';
import { SpillFile } from '../../src/store/spill.js';
import { WriteQueue } from '../../src/store/write-queue.js';
import { FlakyStore, makeCall } from './fixtures.js';

/** One record larger than the whole spill file must not keep every later record out of it. */
describe('a record that can never fit the spill file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-rv-spill-cap-'));
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
    // ...yet nothing was spilled: every record, good ones included, is lost when the process exits.
    expect(spill.size).toBeGreaterThanOrEqual(10);
  });
});
