import { InvalidCallRecordError } from './call-row.js';
import { compactFront } from './buffer-front.js';
import { spillFront, type SpillFile } from './spill.js';
import { SpillCursor, type SpillMarks } from './spill-cursor.js';
import type { CallWriter } from './call-writer.js';
import type { CallRecord } from './types.js';
import { QueueHealth, WriteQueueError } from './queue-health.js';
import { DEFAULT_WRITE_BATCH, type WriteQueueOptions } from './write-queue-options.js';
import { DEFAULT_PROBE_INTERVAL_MS, WriteProbe } from './write-probe.js';

/** A data error: retrying the same record can never succeed. Anything else (busy, disk full, closed) may pass later. */
function isPermanent(err: unknown): boolean {
  if (err instanceof InvalidCallRecordError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG)/.test(code);
}

/**
 * Buffers call records off the request path and writes them in batches.
 *
 * Invariants: `enqueue` is O(1) and never touches SQLite; every accepted record is either
 * written, still pending, or reported through `onError` as rejected (a record that can
 * never be stored). Records are written in enqueue order, except that records spilled
 * during a failure are written right after the first write that succeeds again.
 */
export class WriteQueue extends QueueHealth {
  private buffer: CallRecord[] = [];
  /** Index of the oldest pending record in `buffer` (records before it are written). */
  private head = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private readonly flushIntervalMs: number;
  /** Where the replay of the spill file stands; its `loaded` records are the front of `buffer`. */
  private readonly cursor: SpillCursor | undefined;
  private readonly spill: SpillFile | undefined;
  private readonly spillAfter: number;
  private readonly onRecover: () => void;
  private readonly onHandled: (records: readonly CallRecord[]) => void;
  /** Set when a write succeeded after failures; the spill file is restored after the current write pass. */
  private recovering = false;
  private readonly batchSize: number;
  private readonly maxBuffered: number;
  /** Keeps `degraded` true to the store while no record is written (options.probe). */
  private readonly prober: WriteProbe | undefined;

  constructor(
    private readonly store: Pick<CallWriter, 'insertCalls'> & SpillMarks,
    options: WriteQueueOptions = {},
  ) {
    super(options.onError ?? (() => {}));
    this.flushIntervalMs = options.flushIntervalMs ?? 50;
    this.batchSize = options.batchSize ?? DEFAULT_WRITE_BATCH;
    this.maxBuffered = options.maxBuffered ?? 100_000;
    this.spill = options.spill;
    this.spillAfter = options.spillAfter ?? 10_000;
    this.onRecover = options.onRecover ?? (() => {});
    this.onHandled = options.onHandled ?? (() => {});
    this.cursor = this.spill ? new SpillCursor(this.spill, store) : undefined;
    // Records spilled by an earlier run (and not stored yet) come back first.
    this.restore();
    this.schedule();
    // While failing it probes at the flush interval, as writes are retried; a pass ends the streak.
    this.prober = options.probe && new WriteProbe(options.probe, options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS, {
      busy: () => this.pending > 0,
      failing: () => this.failing,
      retryMs: () => this.flushIntervalMs,
      passed: () => {
        this.failing = false;
        this.recovered();
        this.schedule();
      },
      failed: (err) => this.failed(err),
    });
  }

  /** Records waiting only in the spill file (not the ones read back into memory). */
  get spilled(): number {
    return this.cursor?.onDisk ?? 0;
  }

  /** Records accepted and not yet written. */
  get pending(): number {
    return this.buffer.length - this.head;
  }

  /**
   * Accepts a record for writing. Returns false (and counts it in `refused`) only when
   * `maxBuffered` records are already waiting because writes keep failing.
   */
  enqueue(record: CallRecord): boolean {
    this.prober?.resume();
    if (this.pending >= this.maxBuffered) this.spillPending();
    if (this.pending >= this.maxBuffered) {
      this.onHandled([record]);
      this.refuse();
      return false;
    }
    this.buffer.push(record);
    this.schedule();
    return true;
  }

  /**
   * Writes everything pending now, synchronously, in transactions of at most batchSize.
   * Stops at the first failing batch (kept for the next try).
   * @returns the number of records written or rejected.
   */
  writeNow(): number {
    return this.write(Infinity);
  }

  /**
   * RecordWriter.flush on this thread: writes everything pending now (also records the
   * spill file gives back when the store recovers); true when nothing is left waiting.
   */
  flush(): Promise<boolean> {
    while (this.pending > 0 && this.writeNow() > 0);
    return Promise.resolve(this.pending === 0 && this.spilled === 0);
  }

  /**
   * Writes everything pending and stops the timer (for SIGTERM/SIGINT; call it after the
   * last producer stopped, a later enqueue re-arms the timer). While writes fail it retries
   * every flushIntervalMs, up to `attempts` failures in a row (each may also wait the
   * driver's busy timeout), then rejects with a WriteQueueError (cause: the last write error); the records stay pending.
   */
  async drain(attempts = 20): Promise<void> {
    this.prober?.stop(); // the store closes next: no probe may call that a failure
    let failures = 0;
    for (;;) {
      const before = this.pending;
      this.writeNow();
      this.disarm();
      if (this.pending === 0) return;
      failures = this.pending < before ? 0 : failures + 1;
      if (failures >= attempts) {
        // Keep what cannot be written now for the next start instead of losing it.
        this.spillPending(0);
        if (this.pending === 0) return;
        throw new WriteQueueError('retrying', this.pending, { cause: this.lastError });
      }
      await new Promise((resolve) => setTimeout(resolve, this.flushIntervalMs));
    }
  }

  /** Stops the write probe (a start that failed closes the store without a drain). */
  close(): Promise<void> {
    this.prober?.stop();
    return Promise.resolve();
  }

  /** Writes up to maxBatches batches, then schedules the next write if records remain. */
  private write(maxBatches: number): number {
    this.disarm();
    let done = 0;
    for (let n = 0; n < maxBatches && this.pending > 0; n++) {
      const batch = this.buffer.slice(this.head, this.head + this.batchSize);
      const handled = this.writeBatch(batch);
      this.head += handled;
      this.cursor?.settled(handled);
      done += handled;
      if (handled < batch.length) break;
    }
    this.compact();
    if (this.failing && this.pending >= this.spillAfter) this.spillPending();
    // Records read back from the spill file while the store fails leave memory (the file has
    // them), but for one kept to probe the store (its recovery reads them again).
    else if (this.failing && (this.cursor?.loaded ?? 0) > 0) this.spillPending(Math.max(1, this.pending - this.cursor!.loaded));
    if (this.recovering) this.recovered();
    // Caught up: records only in the spill file (spilled while the store was slow) come back now.
    else if (done > 0 && this.pending === 0 && !this.failing) this.restore();
    if (this.pending < this.maxBuffered) this.overflowing = false;
    this.schedule();
    return done;
  }

  /** Writes one batch; returns how many of its records are done (written or rejected), each reported handled as it is. */
  private writeBatch(batch: CallRecord[]): number {
    try {
      this.store.insertCalls(batch, this.cursor?.markAfter(batch.length));
      this.onHandled(batch);
      this.prober?.wrote();
      if (this.failing) {
        this.failing = false;
        this.recovering = true;
      }
      return batch.length;
    } catch (err) {
      if (isPermanent(err)) return this.isolate(batch);
      this.failed(err);
      return 0;
    }
  }

  /** A batch failed on bad data: write records one by one so only the bad ones are dropped. */
  private isolate(batch: CallRecord[]): number {
    let done = 0;
    for (const record of batch) {
      const one = [record];
      try {
        // The mark also covers the records before it that were rejected.
        this.store.insertCalls(one, this.cursor?.markAfter(done + 1));
      } catch (err) {
        if (!isPermanent(err)) {
          this.failed(err);
          return done;
        }
        this.rejected(err);
      }
      // Reported one by one, so the writer thread's mark for the next record covers this one.
      this.onHandled(one);
      done++;
    }
    // The store took writes again: a failure streak ends here as after any batch written.
    if (done > 0) this.prober?.wrote();
    if (this.failing) {
      this.failing = false;
      this.recovering = true;
    }
    return done;
  }

  /**
   * Moves pending records (oldest first) to the spill file, as many as fit, keeping the
   * newest few in memory so the retry timer keeps probing the store for its recovery. A
   * record too large for even an empty file is dropped, reported `rejected` with the reason.
   * Records read back from the file are never appended again: they leave memory, newest
   * first (those kept are the oldest, so memory still holds the file's next ones).
   */
  private spillPending(keep = Math.max(1, Math.min(this.batchSize, Math.floor(this.spillAfter / 2)))): void {
    if (!this.spill || !this.cursor || this.pending <= keep) return;
    const loaded = this.cursor.loaded;
    const unload = Math.min(loaded, this.pending - keep);
    if (unload > 0) {
      this.buffer.splice(this.head + loaded - unload, unload);
      this.cursor.unload(unload);
    }
    if (this.pending <= keep) return;
    const gone = (part: readonly CallRecord[]): void => {
      this.onHandled(part);
      this.head += part.length;
    };
    try {
      spillFront(this.spill, this.buffer.slice(this.head, this.buffer.length - keep), gone, (record, reason) => {
        this.rejected(reason);
        gone([record]);
      });
    } catch (err) {
      this.lastError = err;
    }
    this.compact();
  }

  /** The store accepts writes again: put spilled records back in front of the buffer. */
  private recovered(): void {
    this.recovering = false;
    this.restore();
    this.onRecover();
  }

  /** Reads the records only in the spill file into memory, after those read before (older than the rest). */
  private restore(): void {
    if (!this.cursor) return;
    const at = this.head + this.cursor.loaded;
    const more = this.cursor.load();
    if (more.length === 0) return;
    this.buffer = this.buffer.slice(this.head, at).concat(more, this.buffer.slice(at));
    this.head = 0;
  }

  /** Drops written records from the front of the buffer once they are most of it (amortised O(1)). */
  private compact(): void {
    ({ buffer: this.buffer, head: this.head } = compactFront(this.buffer, this.head));
  }

  /**
   * A full batch is written on the next event-loop turn, one batch per turn so a large
   * backlog never blocks the loop for long; anything less waits for the (unref'ed) timer.
   * While writes fail, only the timer retries.
   */
  private schedule(): void {
    if (this.pending === 0) return;
    if (this.pending >= this.batchSize && !this.failing) {
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        this.write(1);
      });
      return;
    }
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write(1);
    }, this.flushIntervalMs);
    this.timer.unref?.();
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.immediate = undefined;
  }
}
