import type { CallRecord } from './types.js';

/**
 * The longest prefix, in posting order, of the records the writer thread received from
 * the main thread that are handled (written, spilled, rejected as unstorable, refused).
 * Records are numbered by the main thread from 1; a new thread of the same run starts
 * after the prefix the main thread already saw confirmed.
 */
export class HandledPrefix {
  private readonly seqOf = new WeakMap<CallRecord, number>();
  /** Handled numbers beyond the prefix. */
  private readonly ahead = new Set<number>();
  /** Records 1..count are handled. */
  count: number;

  constructor(start = 0) {
    this.count = start;
  }

  /** `record` is the main thread's record number `seq`. */
  receive(record: CallRecord, seq: number): void {
    this.seqOf.set(record, seq);
  }

  /** Marks records handled; records not received from the main thread (replayed from a spill file) are ignored. */
  handle(records: readonly CallRecord[]): void {
    for (const record of records) {
      const seq = this.seqOf.get(record);
      if (seq === undefined) continue;
      this.seqOf.delete(record);
      if (seq > this.count) this.ahead.add(seq);
    }
    while (this.ahead.delete(this.count + 1)) this.count++;
  }

  /** The count once `records` are handled too, without marking them (the mark written with them). */
  after(records: readonly CallRecord[]): number {
    let count = this.count;
    let inOrder = true;
    // The common case: the records continue the prefix in order.
    for (const record of records) {
      const seq = this.seqOf.get(record);
      if (seq === undefined || seq <= count) continue;
      if (seq !== count + 1) {
        inOrder = false;
        break;
      }
      count++;
      while (this.ahead.has(count + 1)) count++;
    }
    if (inOrder) return count;
    const extra = new Set<number>();
    for (const record of records) {
      const seq = this.seqOf.get(record);
      if (seq !== undefined) extra.add(seq);
    }
    count = this.count;
    while (this.ahead.has(count + 1) || extra.has(count + 1)) count++;
    return count;
  }
}
