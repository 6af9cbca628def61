import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpillFile } from '../../src/store/spill.js';
import type { CallWriter } from '../../src/store/call-writer.js';
import type { WriteQueueError } from '../../src/store/queue-health.js';
import { WriteQueue } from '../../src/store/write-queue.js';
import { FlakyStore, makeCall } from './fixtures.js';

describe('spill file while the store fails', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-spill-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('spills to a 0600 file, says so, and replays in order once the store recovers', () => {
    const store = new FlakyStore();
    const errors: WriteQueueError[] = [];
    let recovered = 0;
    const spill = new SpillFile(path.join(dir, 'db.spill'));
    const queue = new WriteQueue(store as unknown as CallWriter, { spill, spillAfter: 10, onError: (e) => errors.push(e), onRecover: () => recovered++ });
    for (let i = 0; i < 25; i++) queue.enqueue(makeCall(i));
    queue.writeNow();
    expect(queue.degraded).toBe(true);
    expect(errors.map((e) => e.kind)).toEqual(['retrying']);
    // The newest few stay in memory so the retry timer keeps probing the store.
    expect(queue.spilled).toBe(20);
    expect(queue.pending).toBe(5);
    expect((statSync(spill.path).mode & 0o777).toString(8)).toBe('600');
    for (let i = 25; i < 30; i++) queue.enqueue(makeCall(i));
    store.healthy = true;
    queue.writeNow();
    queue.writeNow();
    expect(recovered).toBe(1);
    expect(queue.degraded).toBe(false);
    expect(existsSync(spill.path)).toBe(false);
    // Every record exactly once; the first write that succeeds shows the store is back, then the spilled ones follow.
    expect(store.written.map((r) => r.ts).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => makeCall(i).ts));
    expect(store.written.slice(10).map((r) => r.ts)).toEqual(Array.from({ length: 20 }, (_, i) => makeCall(i).ts));
    expect(store.written.slice(10).map((r) => r.tags)).toEqual(Array.from({ length: 20 }, (_, i) => makeCall(i).tags));
  });

  it('replays a spill file left by an earlier run', () => {
    const spill = new SpillFile(path.join(dir, 'db.spill'));
    spill.append([makeCall(1), makeCall(2)]);
    const store = new FlakyStore();
    store.healthy = true;
    const queue = new WriteQueue(store as unknown as CallWriter, { spill: new SpillFile(path.join(dir, 'db.spill')) });
    queue.writeNow();
    expect(store.written.map((r) => r.ts)).toEqual([makeCall(1).ts, makeCall(2).ts]);
    expect(existsSync(path.join(dir, 'db.spill'))).toBe(false);
  });

  it('ignores a torn last line from a crash mid-append', () => {
    const file = path.join(dir, 'db.spill');
    writeFileSync(file, JSON.stringify(makeCall(7)) + '\n{"ts":17', { mode: 0o600 });
    expect(new SpillFile(file).readFrom(0).map((r) => r.ts)).toEqual([makeCall(7).ts]);
  });

  it('is bounded: once memory and the file are full, enqueue refuses and reports overflow once', () => {
    const store = new FlakyStore();
    const errors: string[] = [];
    const spill = new SpillFile(path.join(dir, 'db.spill'), 4_000);
    const queue = new WriteQueue(store as unknown as CallWriter, { spill, spillAfter: 5, maxBuffered: 20, onError: (e) => errors.push(e.kind) });
    let accepted = 0;
    for (let i = 0; i < 200; i++) {
      if (queue.enqueue(makeCall(i))) accepted++;
      if (i % 5 === 0) queue.writeNow();
    }
    expect(statSync(spill.path).size).toBeLessThanOrEqual(4_000);
    expect(queue.full).toBe(true);
    expect(accepted).toBe(queue.pending + queue.spilled);
    expect(queue.refused).toBe(200 - accepted);
    expect(errors.filter((k) => k === 'overflow')).toHaveLength(1);
  });

  it('drain spills what it cannot write instead of losing it', async () => {
    const store = new FlakyStore();
    const spill = new SpillFile(path.join(dir, 'db.spill'));
    const queue = new WriteQueue(store as unknown as CallWriter, { spill, flushIntervalMs: 1 });
    for (let i = 0; i < 3; i++) queue.enqueue(makeCall(i));
    await queue.drain(3);
    expect(queue.pending).toBe(0);
    expect(new SpillFile(spill.path).size).toBe(3);
  });
});
