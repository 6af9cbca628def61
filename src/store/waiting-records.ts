import { compactFront } from './buffer-front.js';
import type { CallRecord } from './types.js';

/** A record and its place in acceptance order (0 for records back from the spill file: older than any). */
export interface NumberedRecord {
  seq: number;
  record: CallRecord;
}

/**
 * The records an AsyncWriteQueue (async-write-queue.ts) holds in memory and has not sent
 * yet, kept in acceptance order: records back from the spill file (seq 0) in front, then
 * the accepted ones by `seq`. Taking from the front is amortised O(1) (buffer-front.ts);
 * a put-back re-sorts, which only a failed write does.
 */
export class WaitingRecords {
  private buffer: NumberedRecord[] = [];
  /** Index of the oldest waiting record in `buffer` (those before it are sent or spilled). */
  private head = 0;

  /** How many records wait. */
  get size(): number {
    return this.buffer.length - this.head;
  }

  /** The acceptance number of the oldest waiting record; Infinity when none wait. */
  firstSeq(): number {
    return this.head < this.buffer.length ? this.buffer[this.head]!.seq : Infinity;
  }

  /** How many waiting records came back from the spill file (seq 0: they are the front). */
  restored(): number {
    let n = 0;
    while (this.head + n < this.buffer.length && this.buffer[this.head + n]!.seq === 0) n++;
    return n;
  }

  /** Adds a newly accepted record (its `seq` above every other). */
  push(entry: NumberedRecord): void {
    this.buffer.push(entry);
  }

  /** Takes up to `n` of the oldest waiting records (a batch to send). */
  take(n: number): NumberedRecord[] {
    const batch = this.buffer.slice(this.head, this.head + n);
    this.head += batch.length;
    this.compact();
    return batch;
  }

  /** Puts back records that were taken but not written, each in its place in acceptance order. */
  putBack(entries: readonly NumberedRecord[]): void {
    this.buffer = [...entries, ...this.buffer.slice(this.head)].sort((a, b) => a.seq - b.seq);
    this.head = 0;
  }

  /** Puts records back from the spill file in front (they are older than every record here). */
  prepend(entries: NumberedRecord[]): void {
    this.buffer = entries.concat(this.buffer.slice(this.head));
    this.head = 0;
  }

  /** The waiting records but the newest `keep`, oldest first; they stay until `drop`ped. */
  allBut(keep: number): NumberedRecord[] {
    return this.buffer.slice(this.head, this.buffer.length - keep);
  }

  /** Removes the `n` oldest waiting records (they went to the spill file). */
  drop(n: number): void {
    this.head += n;
    this.compact();
  }

  private compact(): void {
    ({ buffer: this.buffer, head: this.head } = compactFront(this.buffer, this.head));
  }
}
