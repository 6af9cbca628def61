import { appendFileSync, existsSync, readFileSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import type { CallRecord, WriterMark } from './types.js';

/** Computes the writer's mark for records about to be spilled (writer thread); undefined = none. */
export type SpillMarker = (records: readonly CallRecord[]) => WriterMark | undefined;

/** Opens a marker line; no call record line starts like this (a record has no `writerMark` field). */
const MARK_PREFIX = '{"writerMark":';
/** Room kept for a marker line (a run id of up to ~150 characters and two integers). */
const MARK_RESERVE_BYTES = 256;

/**
 * A bounded file of call records that could not be written to the database (read-only,
 * full, broken), one JSON object per line, created with mode 0600. The write queue
 * spills into it while the store fails and replays it once the store works again, also
 * after a restart. Invariant: the file never grows past `maxBytes`.
 *
 * With a `marker` (the writer thread), every append ends with a marker line written in
 * the same write as its records: how far the writer had handled once they were in the
 * file (see store/writer-marks.ts). Marker lines are not records.
 */
export class SpillFile {
  private bytes: number;
  private records: number;

  constructor(
    readonly path: string,
    /** Largest size of the file in bytes. */
    readonly maxBytes: number = 64 * 1024 * 1024,
    private readonly marker?: SpillMarker,
  ) {
    this.bytes = existsSync(path) ? statSync(path).size : 0;
    const text = this.bytes > 0 ? readFileSync(path, 'utf8') : '';
    // A torn last line (a crash mid-append) never parses: cut it, so the next append starts a line of its own.
    const whole = text.lastIndexOf('\n') + 1;
    if (whole < text.length) {
      this.bytes = Buffer.byteLength(text.slice(0, whole));
      truncateSync(path, this.bytes);
    }
    this.records = countRecordLines(text.slice(0, whole));
  }

  /** Records currently in the file. */
  get size(): number {
    return this.records;
  }

  /**
   * Appends records in order until the file would exceed `maxBytes`.
   * @returns how many of `records` were written (a prefix); the rest did not fit.
   */
  append(records: readonly CallRecord[]): number {
    let text = '';
    let count = 0;
    const limit = this.maxBytes - (this.marker ? MARK_RESERVE_BYTES : 0);
    for (const record of records) {
      const line = JSON.stringify(record) + '\n';
      if (this.bytes + Buffer.byteLength(text) + Buffer.byteLength(line) > limit) break;
      text += line;
      count++;
    }
    if (count === 0) return 0;
    const mark = this.marker?.(count === records.length ? records : records.slice(0, count));
    if (mark) text += `${MARK_PREFIX}${JSON.stringify(mark)}}\n`;
    try {
      appendFileSync(this.path, text, { mode: 0o600 });
    } catch (error) {
      // A full disk takes what fits and then fails: cut that part back, so none of these
      // records is both kept in memory (the caller's) and in the file (replayed: twice).
      try {
        if (existsSync(this.path)) truncateSync(this.path, this.bytes);
      } catch {
        // The file cannot be cut: the next open drops a torn last line; whole ones replay.
      }
      throw error;
    }
    this.bytes += Buffer.byteLength(text);
    this.records += count;
    return count;
  }

  /** The highest mark of `run` in the file; 0 when it has none. */
  markOf(run: string): number {
    if (this.bytes === 0 || !existsSync(this.path)) return 0;
    let handled = 0;
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      if (!line.startsWith(MARK_PREFIX)) continue;
      const mark = parseLine(line) as { writerMark?: Partial<WriterMark> } | undefined;
      const m = mark?.writerMark;
      if (m?.run === run && typeof m.handled === 'number') handled = Math.max(handled, m.handled);
    }
    return handled;
  }

  /** Reads every spilled record (oldest first) and removes the file. */
  takeAll(): CallRecord[] {
    if (this.records === 0 || !existsSync(this.path)) return [];
    const lines = readFileSync(this.path, 'utf8').split('\n');
    const out: CallRecord[] = [];
    for (const line of lines) {
      if (line.trim() === '' || line.startsWith(MARK_PREFIX)) continue;
      // A torn last line from a crash mid-append does not parse: everything before it is intact.
      const record = parseLine(line) as CallRecord | undefined;
      if (record !== undefined) out.push(record);
    }
    unlinkSync(this.path);
    this.bytes = 0;
    this.records = 0;
    return out;
  }
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function countRecordLines(text: string): number {
  let n = 0;
  for (let start = 0, end = text.indexOf('\n'); end !== -1; start = end + 1, end = text.indexOf('\n', start)) {
    if (!text.startsWith(MARK_PREFIX, start)) n++;
  }
  return n;
}
