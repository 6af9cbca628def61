import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { startThreadWriter } from '../../src/store/writer-client.js';
import { NODE_ENTRY } from '../support/spawn-cli.js';
import type { TestStore } from '../support/store.js';
import { count, makeCall, openStore } from './fixtures.js';

describe('the writer thread after close()', () => {
  let dir: string;
  let store: TestStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-after-close-'));
    store = openStore(openDriver, path.join(dir, 'tokometer.db'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses (and counts) a record enqueued after close(), instead of accepting it and dropping it', { timeout: 20_000 }, async () => {
    const dbPath = path.join(dir, 'tokometer.db');
    const writer = await startThreadWriter({
      entry: NODE_ENTRY,
      dbPath,
      spillMaxBytes: 1 << 20,
      flushIntervalMs: 20,
      maxBuffered: 10_000,
      spillAfter: 5_000,
      onError: () => {},
      onRecover: () => {},
      onThreadLost: () => {},
    });
    writer.enqueue(makeCall(1));
    await writer.drain();
    await writer.close();
    // A call cut at the end of the grace period that unwinds after CUT_SETTLE_MS records itself now.
    const refusedBefore = writer.refused;
    const accepted = writer.enqueue(makeCall(2));
    await new Promise((r) => setTimeout(r, 300));
    // It was accepted (true) and never written: the thread had closed its port.
    expect(accepted).toBe(false);
    expect(writer.refused).toBe(refusedBefore + 1);
    expect(count(store.driver, 'calls')).toBe(1);
  });
});
