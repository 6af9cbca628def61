import type { CallWriter } from './call-writer.js';
import type { SpillFile } from './spill.js';
import type { CallRecord, WriterMark } from './types.js';
import { spillMarkRun } from './writer-marks.js';

/** What a SpillCursor needs of the store: its marks of spill files (CallWriter); absent: none kept (tests). */
export type SpillMarks = Partial<Pick<CallWriter, 'spillMark' | 'forgetSpillMark'>>;

/**
 * Where a WriteQueue (write-queue.ts) stands in replaying its spill file, so that a record
 * in the file leaves it only once it is stored: a kill -9, or a writer thread that dies,
 * with records read back into memory finds them in the file at the next start.
 *
 * Invariant: the file's records, in file order, are `done` (stored, or rejected as
 * unstorable), then `loaded` (in the queue's memory, in the same order), then `onDisk`
 * (only in the file). A transaction holding the first n loaded records also stores the
 * mark `done + n` (markAfter), so after a crash the store says where to resume. Records
 * loaded are never appended again: while the store fails they leave memory (`unload`)
 * and are read again once it works. The file is deleted once all of it is done, before
 * its mark: a crash in between leaves only a mark no file has.
 */
export class SpillCursor {
  /** The file's records (from its first) that are stored or rejected. */
  private done = 0;
  /** The file's records after `done` held in the queue's memory. */
  private held = 0;
  /** Whether `done` was read from the store (a store failing at start cannot tell). */
  private known = false;

  constructor(
    private readonly spill: SpillFile,
    private readonly store: SpillMarks,
  ) {}

  /** Records after `done` in the queue's memory (the front of its buffer). */
  get loaded(): number {
    return this.held;
  }

  /** Records only in the file (not done, not loaded). */
  get onDisk(): number {
    return Math.max(0, this.spill.size - this.done - this.held);
  }

  /**
   * Reads the records only in the file (oldest first), which now count as loaded; [] when
   * none, or when the store cannot yet say how many of them it holds (read again later).
   */
  load(): CallRecord[] {
    if (!this.known) {
      if (this.spill.size === 0) {
        this.known = true;
        return [];
      }
      try {
        this.done = this.store.spillMark?.(this.spill.id) ?? 0;
        this.known = true;
      } catch {
        return [];
      }
    }
    if (this.onDisk === 0) return [];
    const records = this.spill.readFrom(this.done + this.held);
    this.held += records.length;
    return records;
  }

  /** The mark to store with a transaction holding the first `n` records of the queue's memory; undefined when none is loaded from the file. */
  markAfter(n: number): WriterMark | undefined {
    if (this.held === 0 || n <= 0) return undefined;
    return { run: spillMarkRun(this.spill.id), handled: this.done + Math.min(n, this.held), at: Date.now() };
  }

  /** The first `n` records of the queue's memory are stored or rejected; deletes the file once all of it is. */
  settled(n: number): void {
    const part = Math.min(n, this.held);
    if (part <= 0) return;
    this.done += part;
    this.held -= part;
    if (this.held > 0 || this.done < this.spill.size) return;
    const id = this.spill.id;
    try {
      this.spill.clear();
    } catch {
      return; // Kept; a later settle or start deletes it (its mark says all of it is stored).
    }
    this.done = 0;
    try {
      this.store.forgetSpillMark?.(id);
    } catch {
      // A mark of a file that is gone: never read again.
    }
  }

  /** The newest `n` loaded records left the queue's memory (the store fails): they are still in the file. */
  unload(n: number): void {
    this.held -= Math.min(n, this.held);
  }
}
