import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SpillFile } from '../../src/store/spill.js';
import { record } from '../report/dataset.js';

/**
 * While the database cannot be written, the write queue moves the oldest records to the
 * spill file in one append once 10,000 wait (spillAfter): 5,000 of them (async-write-queue.ts
 * spillPending). The append runs on the event loop, which serves every call meanwhile, so
 * it must take time in proportion to the records, not to their square.
 */
describe('spill file append', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('appends 5,000 call records in well under a second', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-rv-spill-time-'));
    const records = Array.from({ length: 5000 }, (_, i) => record({ at: Date.UTC(2026, 10, 20) + i, key: 'acme', cost: 3_000_000, tags: { feature: 'chat', user_id: `u${i % 300}` } }));
    const spill = new SpillFile(path.join(dir, 'tokometer.db.spill'));
    const started = performance.now();
    expect(spill.append(records)).toBe(5000);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(spill.size).toBe(5000);
  }, 300_000);
});
