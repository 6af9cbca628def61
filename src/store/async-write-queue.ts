import type { SpillFile } from './spill.js';
import type { CallRecord, RecordWriter } from './types.js';
import { WriteQueueError } from './write-queue.js';

/**
 * A RecordWriter over an asynchronous sink (the PostgreSQL store): the same contract as
 * the SQLite WriteQueue (write-queue.ts), with the I/O awaited instead of run on a writer
 * thread. Nothing here blocks: the sink's statements travel over sockets, so the event
 * loop only builds batches (a few µs per record) and serve needs no thread for them.
 *
 * Invariants: `enqueue` is O(1) and never waits on the database; one batch is in flight
 * at a time; every accepted record is written, pending (in memory or the spill file), or
 * reported through `onError` as rejected (it can never be stored). While the sink fails,
 * records stay in memory, the oldest move to the spill file past `spillAfter`, and the
 * sink is retried with a growing pause (up to `maxRetryMs`); the first write that works
 * again puts the spilled records back in front. A sink that is idempotent per record
 * (PostgreSQL: the call id) makes a retry of a batch whose commit was not acknowledged
 * harmless, so nothing is written twice.
 */

/** Where an AsyncWriteQueue writes. */
export interface RecordSink {
  /** Writes the records in one transaction (all or none). */
  write(records: readonly CallRecord[]): Promise<void>;
  /** True when `err` says these records can never be written (bad data), as opposed to "not now". */
  isPermanent(err: unknown): boolean;
}

export interface AsyncWriteQueueOptions {
  /** Delay between writes in ms while records wait (the flush window a crash can lose). Default 50. */
  flushIntervalMs?: number;
  /** Most records per transaction. Default 2000. */
  batchSize?: number;
  /** Most records kept in memory; past it records spill, and enqueue refuses when they cannot. Default 100_000. */
  maxBuffered?: number;
  /** Where records go while the sink keeps failing; replayed when it works again, also after a restart. */
  spill?: SpillFile;
  /** Records kept in memory during a failure before they spill. Default 10_000. */
  spillAfter?: number;
  /** Longest pause between retries of a failing sink, ms. Default 1000. */
  maxRetryMs?: number;
  /** Gives each accepted record what the sink needs before it can be spilled (the call id). */
  stamp?: (record: CallRecord) => CallRecord;
  onError?: (err: WriteQueueError) => void;
  /** Called when a failure streak ends. */
  onRecover?: () => void;
}

export class AsyncWriteQueue implements RecordWriter {
  private buffer: CallRecord[] = [];
  private head = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private failing = false;
  private lastError: unknown;
  private overflowing = false;
  private refusedCount = 0;
  private retryMs = 0;
  /** Records accepted so far, and records that left the memory buffer (written, rejected, spilled). */
  private accepted = 0;
  private left = 0;
  private waiters: Array<{ target: number; resolve: (ok: boolean) => void }> = [];
  private readonly o: Required<Omit<AsyncWriteQueueOptions, 'spill' | 'stamp'>> & Pick<AsyncWriteQueueOptions, 'spill' | 'stamp'>;

  constructor(
    private readonly sink: RecordSink,
    options: AsyncWriteQueueOptions = {},
  ) {
    this.o = {
      flushIntervalMs: 50,
      batchSize: 2000,
      maxBuffered: 100_000,
      spillAfter: 10_000,
      maxRetryMs: 1000,
      onError: () => {},
      onRecover: () => {},
      ...options,
    };
    // Records spilled by an earlier run come back first.
    if (this.o.spill && this.o.spill.size > 0) {
      this.buffer = this.o.spill.takeAll().map((r) => this.o.stamp?.(r) ?? r);
      this.accepted = this.buffer.length;
      this.schedule();
    }
  }

  get degraded(): boolean {
    return this.failing;
  }
  get full(): boolean {
    return this.overflowing;
  }
  get pending(): number {
    return this.buffer.length - this.head;
  }
  get spilled(): number {
    return this.o.spill?.size ?? 0;
  }
  get refused(): number {
    return this.refusedCount;
  }

  enqueue(record: CallRecord): boolean {
    if (this.pending >= this.o.maxBuffered) this.spillPending(Math.floor(this.o.maxBuffered / 2));
    if (this.pending >= this.o.maxBuffered) {
      this.refusedCount++;
      if (!this.overflowing) {
        this.overflowing = true;
        this.o.onError(new WriteQueueError('overflow', this.pending));
      }
      return false;
    }
    this.buffer.push(this.o.stamp?.(record) ?? record);
    this.accepted++;
    this.schedule();
    return true;
  }

  /**
   * Resolves once every record accepted before the call has left the memory buffer: true
   * when they are all written (or rejected as unstorable), false when the sink is failing
   * or records wait in the spill file. Never rejects.
   */
  flush(): Promise<boolean> {
    const target = this.accepted;
    if (this.left >= target || this.failing) return Promise.resolve(this.settledOk());
    const done = new Promise<boolean>((resolve) => this.waiters.push({ target, resolve }));
    this.kick();
    return done;
  }

  /**
   * Writes everything pending (for shutdown). While the sink fails it retries up to
   * `attempts` times, then spills what is left and rejects with a WriteQueueError.
   */
  async drain(attempts = 10): Promise<void> {
    this.disarm();
    let failures = 0;
    for (;;) {
      await (this.running ?? this.pump());
      this.disarm();
      if (this.pending === 0) return;
      failures++;
      if (failures >= attempts) {
        this.spillPending(0);
        if (this.pending === 0) return;
        throw new WriteQueueError('retrying', this.pending, { cause: this.lastError });
      }
      await new Promise((r) => setTimeout(r, Math.min(this.o.maxRetryMs, 100 * failures)));
    }
  }

  async close(): Promise<void> {
    this.disarm();
    await this.running;
  }

  private settledOk(): boolean {
    return !this.failing && this.spilled === 0;
  }

  private kick(): void {
    if (this.running || this.failing) return;
    this.disarm();
    void this.pump();
  }

  /** Writes batches until nothing is pending or a write fails; one pump at a time. */
  private pump(): Promise<void> {
    if (this.running) return this.running;
    this.disarm();
    this.running = (async () => {
      try {
        while (this.pending > 0) {
          const batch = this.buffer.slice(this.head, this.head + this.o.batchSize);
          const done = await this.writeBatch(batch);
          this.advance(done);
          if (done < batch.length) break;
          if (this.failing === false && this.o.spill && this.o.spill.size > 0) this.restoreSpill();
        }
      } finally {
        this.running = undefined;
        if (this.failing && this.pending >= this.o.spillAfter) this.spillPending(Math.min(this.o.batchSize, Math.floor(this.o.spillAfter / 2)));
        if (this.pending < this.o.maxBuffered) this.overflowing = false;
        this.settleWaiters();
        this.schedule();
      }
    })();
    return this.running;
  }

  /** Writes one batch; returns how many of its records are done (written or rejected). */
  private async writeBatch(batch: CallRecord[]): Promise<number> {
    try {
      await this.sink.write(batch);
      this.recovered();
      return batch.length;
    } catch (err) {
      if (this.sink.isPermanent(err)) return this.isolate(batch);
      this.reportFailure(err);
      return 0;
    }
  }

  /** A batch failed on bad data: write records one by one so only the bad ones are dropped. */
  private async isolate(batch: CallRecord[]): Promise<number> {
    let done = 0;
    for (const record of batch) {
      try {
        await this.sink.write([record]);
      } catch (err) {
        if (!this.sink.isPermanent(err)) {
          this.reportFailure(err);
          return done;
        }
        this.o.onError(new WriteQueueError('rejected', 1, { cause: err }));
      }
      done++;
    }
    this.recovered();
    return done;
  }

  private reportFailure(err: unknown): void {
    this.lastError = err;
    this.retryMs = Math.min(this.o.maxRetryMs, Math.max(this.o.flushIntervalMs, this.retryMs * 2));
    if (this.failing) return;
    this.failing = true;
    this.o.onError(new WriteQueueError('retrying', this.pending, { cause: err }));
  }

  private recovered(): void {
    this.retryMs = 0;
    if (!this.failing) return;
    this.failing = false;
    this.restoreSpill();
    this.o.onRecover();
  }

  /** Puts spilled records back in front of the buffer (they are older than everything in it). */
  private restoreSpill(): void {
    if (!this.o.spill || this.o.spill.size === 0) return;
    const restored = this.o.spill.takeAll().map((r) => this.o.stamp?.(r) ?? r);
    this.buffer = restored.concat(this.buffer.slice(this.head));
    this.head = 0;
    // They left once when spilled; now they wait again.
    this.left -= restored.length;
  }

  /** Moves pending records (oldest first) to the spill file, keeping the newest `keep` in memory. */
  private spillPending(keep: number): void {
    if (!this.o.spill || this.pending <= keep) return;
    const records = this.buffer.slice(this.head, this.buffer.length - keep);
    let moved = 0;
    try {
      moved = this.o.spill.append(records);
    } catch (err) {
      this.lastError = err;
      return;
    }
    this.advance(moved);
  }

  private advance(n: number): void {
    this.head += n;
    this.left += n;
    if (this.head === this.buffer.length) {
      this.buffer = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
  }

  private settleWaiters(): void {
    if (this.waiters.length === 0) return;
    const ok = this.settledOk();
    this.waiters = this.waiters.filter((w) => {
      if (this.left < w.target && !this.failing) return true;
      w.resolve(ok && this.left >= w.target);
      return false;
    });
  }

  /** A full batch goes at once; less waits for the flush interval; a failing sink waits its retry pause. */
  private schedule(): void {
    if (this.pending === 0 || this.running || this.timer !== undefined) return;
    const delay = this.failing ? this.retryMs : this.pending >= this.o.batchSize ? 0 : this.o.flushIntervalMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pump();
    }, delay);
    this.timer.unref?.();
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
