import * as realFs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallWriter } from '../../src/store/call-writer.js';
import { SpillFile } from '../../src/store/spill.js';
import { WriteQueue } from '../../src/store/write-queue.js';
import { FlakyStore, makeCall } from './fixtures.js';

/**
 * A write(2) on a full disk (ENOSPC) or past RLIMIT_FSIZE (EFBIG) writes what fits, then
 * fails: appendFileSync throws with a prefix of its text already in the file. Checked for
 * real: `bash -c 'ulimit -f 1; node -e "require(\"fs\").appendFileSync(\"/tmp/x\", \"line\\n\".repeat(600))"'`
 * throws EFBIG and leaves 1,024 bytes. Here the first append does the same (1.5 lines, then ENOSPC).
 */
const partial = vi.hoisted(() => ({ once: false }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const appendFileSync = (file: realFs.PathOrFileDescriptor, data: string | Uint8Array, options?: realFs.WriteFileOptions) => {
    if (partial.once && typeof data === 'string') {
      partial.once = false;
      const firstNl = data.indexOf('\n');
      fs.appendFileSync(file, data.slice(0, firstNl + 1 + Math.floor(firstNl / 2)), options);
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    return fs.appendFileSync(file, data, options);
  };
  return { ...fs, appendFileSync, default: { ...fs, appendFileSync } };
});

describe('a spill append that fails part-way', () => {
  let dir: string;
  beforeEach(() => {
    dir = realFs.mkdtempSync(path.join(tmpdir(), 'tokometer-spill-partial-'));
  });
  afterEach(() => realFs.rmSync(dir, { recursive: true, force: true }));

  it('a spill append that fails part-way (disk full) must not leave records in the file that are also written from memory', () => {
    const file = path.join(dir, 'db.spill');
    const store = new FlakyStore();
    const queue = new WriteQueue(store as unknown as CallWriter, { spill: new SpillFile(file), spillAfter: 10 });
    for (let i = 0; i < 25; i++) queue.enqueue(makeCall(i));
    partial.once = true;
    queue.writeNow(); // the write fails, the spill append fails part-way: moved = 0, all 25 stay in memory
    expect(queue.pending).toBe(25);
    store.healthy = true;
    queue.writeNow();
    expect(store.written).toHaveLength(25); // every record is in the database
    // The next start replays what the file holds.
    const next = new FlakyStore();
    next.healthy = true;
    const restarted = new WriteQueue(next as unknown as CallWriter, { spill: new SpillFile(file) });
    restarted.writeNow();
    const ts = [...store.written, ...next.written].map((r) => r.ts);
    // The lines that made it into the file were written from memory too: twice, once replayed.
    expect(new Set(ts).size).toBe(ts.length);
    expect(next.written).toHaveLength(0);
  });
});
