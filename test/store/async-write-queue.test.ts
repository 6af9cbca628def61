import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AsyncWriteQueue, type RecordSink } from '../../src/store/async-write-queue.js';
import { SpillFile } from '../../src/store/spill.js';
import type { CallRecord } from '../../src/store/types.js';
import type { WriteQueueError } from '../../src/store/queue-health.js';
import { makeCall } from './fixtures.js';

/**
 * The queue's own contract (order of settlement, failure, spill, replay) over a sink whose
 * timing and failures the test controls. The PostgreSQL sink itself is tested against a
 * real server in test/store/pg/.
 */
class ControlledSink implements RecordSink {
  readonly stored: number[] = [];
  writes = 0;
  failWith: Error | null = null;
  /** Batches wait here until released (in any order). */
  readonly held: Array<{ records: readonly CallRecord[]; release: () => void }> = [];
  hold = false;
  maxInFlight = 0;
  private inFlight = 0;

  async write(records: readonly CallRecord[]): Promise<void> {
    this.writes++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.hold) await new Promise<void>((release) => this.held.push({ records, release }));
      else await Promise.resolve();
      if (this.failWith) throw this.failWith;
      if (records.some((r) => r.provider === 'bad')) throw Object.assign(new Error('bad data'), { code: '22P02' });
      for (const r of records) this.stored.push(r.ts);
    } finally {
      this.inFlight--;
    }
  }
  isPermanent(err: unknown): boolean {
    return (err as { code?: string }).code === '22P02';
  }
}

const call = (i: number): CallRecord => makeCall(i, { ts: i });
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function spillFile(): SpillFile {
  const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-aq-'));
  dirs.push(dir);
  return new SpillFile(path.join(dir, 'q.spill'));
}

describe('AsyncWriteQueue', () => {
  it('keeps at most `concurrency` batches in flight and flush waits for every earlier record, even when a later batch commits first', async () => {
    const sink = new ControlledSink();
    sink.hold = true;
    const q = new AsyncWriteQueue(sink, { batchSize: 10, concurrency: 2, flushIntervalMs: 5 });
    for (let i = 1; i <= 30; i++) q.enqueue(call(i));
    let flushed: boolean | undefined;
    void q.flush().then((ok) => (flushed = ok));
    await tick(20);
    expect(sink.held.length).toBe(2);
    expect(q.pending).toBe(30);
    sink.held[1]!.release(); // records 11-20 commit before 1-10
    await tick(20);
    expect(sink.stored).toEqual(Array.from({ length: 10 }, (_, i) => i + 11));
    expect(flushed).toBeUndefined();
    sink.held[0]!.release();
    await tick(20);
    expect(flushed).toBeUndefined(); // 21-30 still in flight
    sink.held[2]!.release();
    await tick(20);
    expect(flushed).toBe(true);
    expect([...sink.stored].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(sink.maxInFlight).toBe(2);
    expect(q.pending).toBe(0);
  });

  it('a failing sink: degraded, flush says false, records spill past spillAfter, and come back first once it works; none lost, none twice', async () => {
    const sink = new ControlledSink();
    const errors: string[] = [];
    let recovered = 0;
    const spill = spillFile();
    const q = new AsyncWriteQueue(sink, { batchSize: 5, flushIntervalMs: 5, maxRetryMs: 20, spill, spillAfter: 10, onError: (e: WriteQueueError) => errors.push(e.kind), onRecover: () => recovered++ });
    sink.failWith = Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    for (let i = 1; i <= 40; i++) q.enqueue(call(i));
    await tick(60);
    expect(q.degraded).toBe(true);
    expect(await q.flush()).toBe(false);
    expect(q.spilled).toBeGreaterThan(0);
    expect(q.pending + q.spilled).toBe(40);
    expect(errors).toEqual(['retrying']);
    sink.failWith = null;
    for (let i = 41; i <= 45; i++) q.enqueue(call(i));
    for (let n = 0; n < 50 && (q.degraded || q.pending > 0); n++) await tick(10);
    expect(await q.flush()).toBe(true);
    expect(q.degraded).toBe(false);
    expect(q.spilled).toBe(0);
    expect(recovered).toBe(1);
    expect([...sink.stored].sort((a, b) => a - b)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
  });

  it('records spilled by an earlier run are written first by the next one', async () => {
    const spill = spillFile();
    spill.append([call(1), call(2)]);
    const sink = new ControlledSink();
    const q = new AsyncWriteQueue(sink, { flushIntervalMs: 5, spill });
    q.enqueue(call(3));
    expect(q.pending).toBe(3);
    expect(await q.flush()).toBe(true);
    expect(sink.stored).toEqual([1, 2, 3]);
  });

  it('records read back from the spill file leave memory while the sink still fails (the file keeps them), but for one kept to probe it', async () => {
    const spill = spillFile();
    spill.append([1, 2, 3, 4, 5].map(call));
    const sink = new ControlledSink();
    sink.failWith = new Error('connection refused');
    const q = new AsyncWriteQueue(sink, { flushIntervalMs: 5, maxRetryMs: 10, spill, spillAfter: 10_000 });
    await tick(30);
    // Below spillAfter they sat in memory for the whole outage, exposed to a crash.
    expect(q.pending).toBe(1);
    expect(q.spilled).toBe(4);
    // None was appended again, none taken out: the file still holds all five until they are written.
    expect(new SpillFile(spill.path).size).toBe(5);
    sink.failWith = null;
    await tick(60);
    expect(await q.flush()).toBe(true);
    expect(sink.stored).toEqual([1, 2, 3, 4, 5]);
    expect(q.spilled).toBe(0);
    expect(existsSync(spill.path)).toBe(false);
  });

  it('a record the sink can never store is rejected alone; the rest of its batch is written', async () => {
    const sink = new ControlledSink();
    const errors: string[] = [];
    const q = new AsyncWriteQueue(sink, { flushIntervalMs: 5, onError: (e) => errors.push(e.kind) });
    q.enqueue(call(1));
    q.enqueue(makeCall(2, { ts: 2, provider: 'bad' }));
    q.enqueue(call(3));
    expect(await q.flush()).toBe(true);
    expect(sink.stored).toEqual([1, 3]);
    expect(errors).toEqual(['rejected']);
  });

  it('a batch with bad records is split in halves until they stand alone: every good record written once, in a few writes', async () => {
    const sink = new ControlledSink();
    const errors: string[] = [];
    const q = new AsyncWriteQueue(sink, { batchSize: 4096, flushIntervalMs: 5, onError: (e) => errors.push(e.kind) });
    const bad = new Set([7, 2000, 2001, 4095]);
    for (let i = 0; i < 4096; i++) q.enqueue(bad.has(i) ? makeCall(i, { ts: i, provider: 'bad' }) : call(i));
    expect(await q.flush()).toBe(true);
    expect(errors).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect([...sink.stored].sort((a, b) => a - b)).toEqual(Array.from({ length: 4096 }, (_, i) => i).filter((i) => !bad.has(i)));
    // One record at a time would be 4096 writes; halving is about 2·log2(4096) = 24 per bad record at most.
    expect(sink.writes).toBeLessThan(1 + 4 * 24);
  });

  it('a sink that goes away while a batch is being split keeps every record not yet written for the retry', async () => {
    const sink = new ControlledSink();
    const q = new AsyncWriteQueue(sink, { batchSize: 64, flushIntervalMs: 5, maxRetryMs: 10 });
    for (let i = 0; i < 64; i++) q.enqueue(i === 40 ? makeCall(i, { ts: i, provider: 'bad' }) : call(i));
    const write = sink.write.bind(sink);
    sink.write = async (records) => {
      // The first half (0..31) goes through; the sink then fails once, on the second half.
      if (sink.writes === 2) {
        sink.writes++;
        throw new Error('down');
      }
      return write(records);
    };
    expect(await q.flush()).toBe(false);
    await q.drain();
    expect([...sink.stored].sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i).filter((i) => i !== 40));
  });

  it('with the buffer full and no spill file, enqueue refuses (counted) and says overflow once', async () => {
    const sink = new ControlledSink();
    sink.failWith = new Error('down');
    const errors: string[] = [];
    const q = new AsyncWriteQueue(sink, { batchSize: 2, flushIntervalMs: 5, maxBuffered: 4, maxRetryMs: 10_000, onError: (e) => errors.push(e.kind) });
    for (let i = 1; i <= 4; i++) expect(q.enqueue(call(i))).toBe(true);
    await tick(20);
    const accepted = [5, 6, 7, 8].map((i) => q.enqueue(call(i)));
    expect(accepted.filter((a) => !a).length).toBe(q.refused);
    expect(q.refused).toBeGreaterThan(0);
    expect(q.full).toBe(true);
    expect(errors.filter((k) => k === 'overflow')).toEqual(['overflow']);
  });

  it('drain writes everything; against a sink that keeps failing it spills what is left and rejects', async () => {
    const ok = new ControlledSink();
    const q = new AsyncWriteQueue(ok, { batchSize: 3, flushIntervalMs: 1000 });
    for (let i = 1; i <= 10; i++) q.enqueue(call(i));
    await q.drain();
    expect(ok.stored.length).toBe(10);

    const down = new ControlledSink();
    down.failWith = new Error('down');
    const spill = spillFile();
    const failing = new AsyncWriteQueue(down, { batchSize: 3, flushIntervalMs: 5, maxRetryMs: 5, spill });
    for (let i = 1; i <= 7; i++) failing.enqueue(call(i));
    await failing.drain(3);
    expect(failing.pending).toBe(0);
    expect(spill.size).toBe(7);
  });
});
