import { spillFront } from './spill.js';
import type { CallRecord, RecordWriter } from './types.js';
import { QueueHealth, WriteQueueError } from './queue-health.js';
import { writeIsolating } from './isolate-batch.js';
import { WaitingRecords, type NumberedRecord } from './waiting-records.js';
import { SpillReread } from './spill-reread.js';
import { DEFAULT_BATCH_SIZE, type AsyncWriteQueueOptions } from './async-write-queue-options.js';
import { DEFAULT_PROBE_INTERVAL_MS, WriteProbe } from './write-probe.js';

/**
 * A RecordWriter over an asynchronous sink (the PostgreSQL store): the same contract as
 * the SQLite WriteQueue (write-queue.ts), with the I/O awaited instead of run on a writer
 * thread. Nothing here blocks: the sink's statements travel over sockets, so the event
 * loop only builds batches (a few µs per record) and serve needs no thread for them.
 *
 * Up to `concurrency` batches are in flight at once (each on its own connection), so the
 * database works on one batch while the next is being sent; the sink must therefore be
 * safe for concurrent batches (PostgreSQL: row locks taken in one order).
 *
 * Invariants: `enqueue` is O(1) and never waits on the database; every accepted record is
 * written, pending (in memory, in flight or in the spill file), or reported through
 * `onError` as rejected (it can never be stored). While the sink fails, records stay in
 * memory, the oldest move to the spill file past `spillAfter`, and the sink is retried
 * with a growing pause (up to `maxRetryMs`); the first write that works again puts the
 * spilled records back in front. A sink that is idempotent per record (PostgreSQL: the
 * call id) makes a retry of a batch whose commit was not acknowledged harmless, so
 * nothing is written twice. The same makes replaying the spill file simple: the file
 * stays until every record read from it is written (a kill -9 meanwhile replays it all
 * again; the sink skips those stored already), and records read from it leave memory
 * rather than go back into it while the sink fails (they are read again on recovery).
 */

/** Where an AsyncWriteQueue writes. */
export interface RecordSink {
  /** Writes the records in one transaction (all or none). */
  write(records: readonly CallRecord[]): Promise<void>;
  /** True when `err` says these records can never be written (bad data), as opposed to "not now". */
  isPermanent(err: unknown): boolean;
  /** Rejects when a write would fail now (write-probe.ts); with it, `degraded` follows the sink while no record is written. */
  probe?(): Promise<void>;
}

type Settings = Required<Omit<AsyncWriteQueueOptions, 'spill' | 'stamp' | 'onError' | 'probeIntervalMs'>> & Pick<AsyncWriteQueueOptions, 'spill' | 'stamp'>;

export class AsyncWriteQueue extends QueueHealth implements RecordWriter {
  /** Records in memory not sent yet, in acceptance order. */
  private readonly waiting = new WaitingRecords();
  private readonly inflight = new Set<NumberedRecord[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private retryMs = 0;
  private accepted = 0;
  private waiters: Array<{ target: number; resolve: (ok: boolean) => void }> = [];
  private idle: Array<() => void> = [];
  private readonly o: Settings;
  /** Where the replay of the spill file stands (the file stays until what was read from it is written). */
  private readonly reread: SpillReread | undefined;
  /** Keeps `degraded` true to the sink while no record is written (RecordSink.probe). */
  private readonly prober: WriteProbe | undefined;

  constructor(
    private readonly sink: RecordSink,
    options: AsyncWriteQueueOptions = {},
  ) {
    super(options.onError ?? (() => {}));
    this.o = {
      flushIntervalMs: 50,
      batchSize: DEFAULT_BATCH_SIZE,
      concurrency: 2,
      maxBuffered: 100_000,
      spillAfter: 10_000,
      maxRetryMs: 1000,
      onRecover: () => {},
      ...options,
    };
    this.reread = options.spill ? new SpillReread(options.spill) : undefined;
    // Records spilled by an earlier run come back first.
    this.restoreSpill();
    this.schedule();
    // While failing it probes at the retry pause, which a failed probe grows as a failed write does.
    this.prober = sink.probe && new WriteProbe(() => sink.probe!(), options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS, {
      busy: () => this.pending > 0,
      failing: () => this.failing,
      retryMs: () => this.retryMs,
      passed: () => {
        this.recovered();
        this.schedule();
      },
      failed: (err) => this.reportFailure(err),
    });
  }

  get pending(): number {
    let n = this.waiting.size;
    for (const batch of this.inflight) n += batch.length;
    return n;
  }
  /** Records only in the spill file (not read back into memory). */
  get spilled(): number {
    return this.reread?.onDisk ?? 0;
  }

  enqueue(record: CallRecord): boolean {
    this.prober?.resume();
    if (this.waiting.size >= this.o.maxBuffered) this.spillPending(Math.floor(this.o.maxBuffered / 2));
    if (this.waiting.size >= this.o.maxBuffered) {
      this.refuse();
      return false;
    }
    this.waiting.push({ seq: ++this.accepted, record: this.o.stamp?.(record) ?? record });
    this.schedule();
    return true;
  }

  /**
   * Resolves once every record accepted before the call has left memory: true when they
   * are all written (or rejected as unstorable), false when the sink is failing or records
   * wait in the spill file. Never rejects.
   */
  flush(): Promise<boolean> {
    const target = this.accepted;
    if (this.oldestUnsettled() > target || this.failing) return Promise.resolve(this.settledOk());
    const done = new Promise<boolean>((resolve) => this.waiters.push({ target, resolve }));
    this.dispatch();
    return done;
  }

  /**
   * Writes everything pending (for shutdown). While the sink fails it retries up to
   * `attempts` times, then spills what is left and rejects with a WriteQueueError.
   */
  async drain(attempts = 10): Promise<void> {
    // The store closes after a drain: no probe may find it closed and call that a failure.
    this.prober?.stop();
    for (let failures = 0; ; ) {
      this.dispatch(true);
      await this.whenIdle();
      if (this.pending === 0) break;
      if (!this.failing) continue;
      if (++failures >= attempts) {
        this.disarm();
        this.spillPending(0);
        if (this.pending === 0) return;
        throw new WriteQueueError('retrying', this.pending, { cause: this.lastError });
      }
      await new Promise((r) => setTimeout(r, Math.min(this.o.maxRetryMs, 100 * failures)));
    }
    this.disarm();
  }

  async close(): Promise<void> {
    this.prober?.stop();
    this.disarm();
    await this.whenIdle();
  }

  private settledOk(): boolean {
    return !this.failing && this.spilled === 0;
  }

  /**
   * The lowest acceptance number still in memory or in flight; Infinity when none. The
   * waiting records are kept in acceptance order (records back from the spill file, fileSeq,
   * first), and every batch is taken from their front, so only the fronts need a look.
   */
  private oldestUnsettled(): number {
    let low = this.waiting.firstSeq();
    for (const batch of this.inflight) low = Math.min(low, batch[0]!.seq);
    return low;
  }

  private whenIdle(): Promise<void> {
    if (this.inflight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /**
   * Sends batches while there is room in flight. Only full batches go early; a partial one
   * waits for the timer unless `now` (flush, drain). A failing sink gets one batch at a
   * time, at the retry pause.
   */
  private dispatch(now = true): void {
    this.disarm();
    const limit = this.failing ? 1 : this.o.concurrency;
    while (this.inflight.size < limit && this.waiting.size > 0 && (now || this.waiting.size >= this.o.batchSize)) {
      const batch = this.waiting.take(this.o.batchSize);
      this.inflight.add(batch);
      void this.send(batch);
    }
    this.schedule();
  }

  private async send(batch: NumberedRecord[]): Promise<void> {
    const back = await this.writeBatch(batch);
    this.inflight.delete(batch);
    this.reread?.sent(batch, back);
    if (back.length > 0) {
      // Not written: back in front, in acceptance order, for the retry.
      this.waiting.putBack(back);
    } else if (!this.failing) {
      this.restoreSpill();
    }
    if (this.failing && this.waiting.size >= this.o.spillAfter) this.spillPending(Math.min(this.o.batchSize, Math.floor(this.o.spillAfter / 2)));
    // Records read back from the spill file (in front) while the sink still fails leave
    // memory (they are still in the file), but for one kept to probe the sink (its recovery reads them again).
    else if (this.failing && this.waiting.restored() > 0) this.spillPending(Math.max(1, this.waiting.size - this.waiting.restored()));
    if (this.waiting.size < this.o.maxBuffered) this.overflowing = false;
    this.settleWaiters();
    if (this.inflight.size === 0) for (const resolve of this.idle.splice(0)) resolve();
    if (this.failing) this.schedule();
    else this.dispatch(this.waiters.length > 0);
  }

  /** Writes one batch (records that can never be stored dropped alone). @returns the entries still to write (none when written or rejected). */
  private async writeBatch(batch: NumberedRecord[]): Promise<NumberedRecord[]> {
    const sink = this.sink;
    const { left, error } = await writeIsolating(batch, (part) => sink.write(part.map((e) => e.record)), (err) => sink.isPermanent(err), (err) => this.rejected(err));
    if (left.length > 0) {
      this.reportFailure(error);
      return left;
    }
    this.prober?.wrote();
    this.recovered();
    return [];
  }

  /** A write failed: the retry pause grows (doubling, up to maxRetryMs), and the failure is reported once per streak. */
  private reportFailure(err: unknown): void {
    this.retryMs = Math.min(this.o.maxRetryMs, Math.max(this.o.flushIntervalMs, this.retryMs * 2));
    this.failed(err);
  }

  private recovered(): void {
    this.retryMs = 0;
    if (!this.failing) return;
    this.failing = false;
    this.restoreSpill();
    this.o.onRecover();
  }

  /** Puts the records only in the spill file back in front of the waiting ones (they are older than all of them); see SpillReread.next. */
  private restoreSpill(): void {
    const records = this.reread?.next((r) => this.o.stamp?.(r) ?? r) ?? [];
    if (records.length > 0) this.waiting.prepend(records);
  }

  /**
   * Moves waiting records (oldest first) to the spill file, keeping the newest `keep` in
   * memory. A record too large for even an empty file is dropped, reported `rejected` with the reason.
   */
  private spillPending(keep: number): void {
    if (!this.o.spill || this.waiting.size <= keep) return;
    const restored = this.waiting.restored();
    if (restored > 0) {
      // Never appended again: they leave memory, and the file is read again from the first of
      // them (records after it written meanwhile are written again: the sink skips them).
      this.reread?.dropped(this.waiting.dropRestored(Math.min(restored, this.waiting.size - keep)));
      if (this.waiting.size <= keep) return this.settleWaiters();
    }
    const records = this.waiting.allBut(keep).map((e) => e.record);
    try {
      spillFront(this.o.spill, records, (part) => this.waiting.drop(part.length), (_record, reason) => {
        this.rejected(reason);
        this.waiting.drop(1);
      });
    } catch (err) {
      this.lastError = err;
    }
    this.settleWaiters();
  }

  private settleWaiters(): void {
    if (this.waiters.length === 0) return;
    const oldest = this.oldestUnsettled();
    const ok = this.settledOk();
    this.waiters = this.waiters.filter((w) => {
      if (oldest <= w.target && !this.failing) return true;
      w.resolve(ok && oldest > w.target);
      return false;
    });
  }

  /** A full batch goes at once; less waits for the flush interval; a failing sink waits its retry pause. */
  private schedule(): void {
    if (this.waiting.size === 0 || this.timer !== undefined) return;
    if (this.inflight.size >= (this.failing ? 1 : this.o.concurrency)) return;
    const delay = this.failing ? this.retryMs : this.waiting.size >= this.o.batchSize ? 0 : this.o.flushIntervalMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dispatch(true);
    }, delay);
    this.timer.unref?.();
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
