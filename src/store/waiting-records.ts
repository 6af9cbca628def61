import { compactFront } from './buffer-front.js';
import type { CallRecord } from './types.js';

/**
 * A record and its place in acceptance order: accepted records count from 1; a record
 * back from the spill file has fileSeq(its position), below every accepted one.
 */
export interface NumberedRecord {
  seq: number;
  record: CallRecord;
}

/** Offset of the spill file's positions in `seq`: more records than a file can hold. */
const FILE_SEQ_BASE = 2 ** 52;

/** The `seq` of the spill file's record at `position` (from 0): below 1, in file order. */
export function fileSeq(position: number): number {
  return position - FILE_SEQ_BASE;
}

/** The spill file position of an entry back from it; undefined for an accepted record. */
export function filePosition(entry: NumberedRecord): number | undefined {
  return entry.seq < 1 ? entry.seq + FILE_SEQ_BASE : undefined;
}

/** How many of `entries` came back from the spill file. */
export function countFromFile(entries: readonly NumberedRecord[]): number {
  let n = 0;
  for (const e of entries) if (e.seq < 1) n++;
  return n;
}

/**
 * The records an AsyncWriteQueue (async-write-queue.ts) holds in memory and has not sent
 * yet, kept in acceptance order: records back from the spill file (fileSeq) in front, then
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

  /** How many waiting records came back from the spill file (they are the front). */
  restored(): number {
    let n = 0;
    while (this.head + n < this.buffer.length && this.buffer[this.head + n]!.seq < 1) n++;
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

  /**
   * Removes up to `n` of the records back from the spill file, the newest of them first
   * (those kept stay the oldest, in front). @returns the records removed.
   */
  dropRestored(n: number): NumberedRecord[] {
    const restored = this.restored();
    const gone = Math.min(n, restored);
    return gone > 0 ? this.buffer.splice(this.head + restored - gone, gone) : [];
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
