import type { SpillFile } from './spill.js';
import type { CallRecord } from './types.js';
import { countFromFile, filePosition, fileSeq, type NumberedRecord } from './waiting-records.js';

/**
 * Where an AsyncWriteQueue (async-write-queue.ts) stands in replaying its spill file. Its
 * sink is idempotent per record (PostgreSQL: the call id), so a record replayed twice is
 * written once; the file therefore only has to outlive its records' writes: it is deleted
 * once every record read from it is written or rejected, never before (a kill -9 during a
 * replay finds them all in the file at the next start).
 *
 * Invariant: each of the file's records before `read` is written, rejected, or in the
 * queue's memory (waiting or in flight; `unsettled` counts those); the rest are only on
 * disk. Records that leave memory while the sink fails move `read` back to the first of them.
 */
export class SpillReread {
  /** The file's records (from its first) before this position were read into memory. */
  private read = 0;
  /** Records read from the file still waiting or in flight. */
  private unsettled = 0;

  constructor(private readonly spill: SpillFile) {}

  /** Records only in the file (not read into memory). */
  get onDisk(): number {
    return Math.max(0, this.spill.size - this.read);
  }

  /**
   * Once no record read before is still unsettled: deletes the file when all of it was
   * read (so: written), else reads the rest (oldest first, numbered by fileSeq, `stamp`ed).
   * @returns the records read; [] when none.
   */
  next(stamp: (record: CallRecord) => CallRecord): NumberedRecord[] {
    if (this.unsettled > 0 || this.spill.size === 0) return [];
    if (this.read >= this.spill.size) {
      try {
        this.spill.clear();
        this.read = 0;
      } catch {
        // Kept: a later call (or the next start) deletes it; replaying it again is harmless.
      }
      return [];
    }
    const from = this.read;
    const records = this.spill.readFrom(from);
    this.read += records.length;
    this.unsettled += records.length;
    return records.map((r, i) => ({ seq: fileSeq(from + i), record: stamp(r) }));
  }

  /** A batch was sent; `back` of it are not written (they wait again): the others are settled. */
  sent(batch: readonly NumberedRecord[], back: readonly NumberedRecord[]): void {
    this.unsettled -= countFromFile(batch) - countFromFile(back);
  }

  /** Records read from the file left memory (the sink fails): they are read again, from the first of them. */
  dropped(entries: readonly NumberedRecord[]): void {
    for (const e of entries) {
      const position = filePosition(e);
      if (position === undefined) continue;
      this.unsettled--;
      this.read = Math.min(this.read, position);
    }
  }
}
