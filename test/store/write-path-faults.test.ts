import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallWriter, type CallWriter } from '../../src/store/call-writer.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import type { WriteQueueError } from '../../src/store/queue-health.js';
import { SpillFile } from '../../src/store/spill.js';
import type { CallRecord } from '../../src/store/types.js';
import { WriteQueue } from '../../src/store/write-queue.js';
import { FlakyStore, makeCall } from './fixtures.js';

/** The SQLite write path where a record could be lost, stuck or written twice. */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the write path keeps every record once', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-write-path-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a record whose ts is past what a Date holds is rejected alone, and does not poison the entity rows held for every later record', async () => {
    const driver = openDriver(path.join(dir, 'db.sqlite'));
    // serve's writer thread holds entity rows (DEFAULT_ENTITY_HOLD_MS); 20 ms here.
    const writer = createCallWriter(driver, undefined, { entityHoldMs: 20 });
    const rejected: WriteQueueError[] = [];
    const queue = new WriteQueue(writer, { onError: (e) => rejected.push(e) });
    const user = (i: number, over: Partial<CallRecord> = {}) => makeCall(i, { tags: { user_id: `u${i}` }, ...over });
    // The writer's first transaction writes its entity rows at once (it starts unsure); from then on it holds them.
    queue.enqueue(user(0));
    queue.writeNow();
    // A finite ts beyond ±8.64e15 passed callToParams; its UTC month was NaN, bound as NULL into
    // entity_months.month (NOT NULL) when the held rows were written: every later batch failed on it.
    queue.enqueue(user(1, { ts: 1e16 }));
    queue.enqueue(user(2));
    queue.writeNow();
    await sleep(40); // the fold is due
    for (let i = 3; i < 13; i++) queue.enqueue(user(i));
    queue.writeNow();
    await sleep(40);
    for (let i = 13; i < 23; i++) queue.enqueue(user(i));
    queue.writeNow();
    const good = driver.prepare('SELECT COUNT(*) AS n FROM calls WHERE ts < 1e15').get<{ n: number }>()!.n;
    const kinds = rejected.map((e) => e.kind);
    writer.close();
    // Without the hold (createCallWriter(driver)) the bad record is rejected alone and the other 22 are stored.
    expect(kinds.filter((k) => k === 'rejected').length).toBe(1);
    expect(good).toBe(22);
  });

  it('a bad record in the first batch after a failure streak still ends the streak: the spill file is replayed', () => {
    const store = new FlakyStore();
    let recovered = 0;
    const spill = new SpillFile(path.join(dir, 'db.spill'));
    const queue = new WriteQueue(store as unknown as CallWriter, { spill, spillAfter: 10, onRecover: () => recovered++ });
    for (let i = 0; i < 25; i++) queue.enqueue(makeCall(i));
    queue.writeNow();
    expect(queue.spilled).toBe(20);
    // One record that can never be stored, in the first batch written once the store is back.
    queue.enqueue(makeCall(99, { latencyMs: -1 }));
    store.healthy = true;
    queue.writeNow();
    queue.writeNow();
    expect(queue.degraded).toBe(false);
    // The 20 spilled records stayed in the file for the rest of the run: flush() said false, healthz ok, reports missed them.
    expect(recovered).toBe(1);
    expect(queue.spilled).toBe(0);
    expect(store.written).toHaveLength(25);
  });

  it('records read back from the spill file leave memory while the store still fails (the file keeps them), but for one kept to probe the store', () => {
    const file = path.join(dir, 'db.spill');
    new SpillFile(file).append([1, 2, 3, 4, 5].map((i) => makeCall(i)));
    const store = new FlakyStore(); // still failing after the restart
    let recovered = 0;
    const queue = new WriteQueue(store as unknown as CallWriter, { spill: new SpillFile(file), spillAfter: 10_000, onRecover: () => recovered++ });
    queue.writeNow();
    // They stayed in memory below spillAfter, for as long as the store failed: a kill -9 lost them all.
    expect(queue.pending).toBe(1);
    expect(queue.spilled).toBe(4);
    // None was appended again, none taken out: the file still holds all five until they are stored.
    expect(new SpillFile(file).size).toBe(5);
    store.healthy = true;
    queue.writeNow();
    queue.writeNow();
    expect(recovered).toBe(1);
    expect(store.written.map((r) => r.ts)).toEqual([1, 2, 3, 4, 5].map((i) => makeCall(i).ts));
    expect(queue.spilled).toBe(0);
    expect(existsSync(file)).toBe(false);
  });
  it('a torn line left at the end of the spill file (kill -9 mid-append) does not swallow the first record spilled after the restart', () => {
    const file = path.join(dir, 'db.spill');
    // The first append of the crashed run was cut: a fragment, no newline, no whole record (size 0, so the next start does not take the file).
    appendFileSync(file, JSON.stringify(makeCall(100)).slice(0, 40));
    const store = new FlakyStore();
    const queue = new WriteQueue(store as unknown as CallWriter, { spill: new SpillFile(file), spillAfter: 10 });
    for (let i = 0; i < 25; i++) queue.enqueue(makeCall(i));
    queue.writeNow(); // fails: the 20 oldest are appended to the file, right after the fragment
    expect(queue.spilled).toBe(20);
    store.healthy = true;
    queue.writeNow();
    queue.writeNow();
    expect(store.written.map((r) => r.ts).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => makeCall(i).ts));
  });
});
