/**
 * What the two record queues (write-queue.ts on SQLite, async-write-queue.ts on an
 * asynchronous sink) report alike: the errors they send through `onError`, and the health
 * that RecordWriter exposes (a failing store, a full buffer, refused records), each
 * problem reported once per streak.
 */

/** What went wrong, reported through `onError`. */
export type WriteQueueErrorKind =
  /** A flush failed; the records stay buffered and are retried (reported once per failure streak). */
  | 'retrying'
  /** Records that can never be stored (bad field, constraint) were dropped after being isolated one by one. */
  | 'rejected'
  /** The buffer is full; enqueue refused records (reported once until the buffer has room again). */
  | 'overflow';

/** What a write queue reports through its `onError`: which kind of trouble, and how many records it concerns. */
export class WriteQueueError extends Error {
  constructor(
    readonly kind: WriteQueueErrorKind,
    /** How many records this report is about (buffered, dropped or refused). */
    readonly count: number,
    options?: { cause?: unknown },
  ) {
    super(`write queue ${kind}: ${count} record(s)`, options);
    this.name = 'WriteQueueError';
  }
}

/** The health state of a record queue and what it reports (refuse, rejected, failed). */
export abstract class QueueHealth {
  /** True from a failed write until one succeeds again. */
  protected failing = false;
  /** True from a refused record until the buffer has room again (the subclass clears it). */
  protected overflowing = false;
  /** The latest write or spill error: the cause a drain that gives up reports. */
  protected lastError: unknown;
  private refusedCount = 0;

  protected constructor(protected readonly onError: (err: WriteQueueError) => void) {}

  /** Records accepted and not yet written. */
  abstract get pending(): number;

  /** True while writes to the store are failing. */
  get degraded(): boolean {
    return this.failing;
  }

  /** True while enqueue refuses records (memory buffer and spill file both full). */
  get full(): boolean {
    return this.overflowing;
  }

  /** Records refused by enqueue because the buffer was full (since the queue was created). */
  get refused(): number {
    return this.refusedCount;
  }

  /** Counts a record enqueue refused; the first refusal of a streak is reported as `overflow`. */
  protected refuse(): void {
    this.refusedCount++;
    if (this.overflowing) return;
    this.overflowing = true;
    this.onError(new WriteQueueError('overflow', this.pending));
  }

  /** A record that can never be stored (`err` from writing it alone) was dropped: reported as `rejected`, every time. */
  protected rejected(err: unknown): void {
    this.onError(new WriteQueueError('rejected', 1, { cause: err }));
  }

  /** A write failed with `err`, which may pass later; the first failure of a streak is reported as `retrying`. */
  protected failed(err: unknown): void {
    this.lastError = err;
    if (this.failing) return;
    this.failing = true;
    this.onError(new WriteQueueError('retrying', this.pending, { cause: err }));
  }
}
