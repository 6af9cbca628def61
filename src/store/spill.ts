import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import type { CallRecord, WriterMark } from './types.js';

/** Computes the writer's mark for records about to be spilled (writer thread); undefined = none. */
export type SpillMarker = (records: readonly CallRecord[]) => WriterMark | undefined;

/** Opens a marker line; no call record line starts like this (a record has no `writerMark` field). */
const MARK_PREFIX = '{"writerMark":';
/** Opens the line naming the file (its first, or appended to a file from before ids); not a record either. */
const ID_PREFIX = '{"spillFile":';
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
 *
 * Replay never deletes before the records are stored: `readFrom` reads without deleting,
 * and `clear` deletes once every record is stored. Each file has an `id` (a line of its
 * own), so a store can count how many of this file's records (in file order) it holds
 * (SQLite: the writer_marks row `spill:<id>`, written with the records) and a restart
 * replays only the rest. Positions count the lines that parse as records.
 */
export class SpillFile {
  private bytes: number;
  private records: number;
  /** This file's id; a new one for each file created after `clear`. */
  private fileId: string;

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
    this.records = countRecords(text.slice(0, whole));
    const found = this.bytes > 0 ? idIn(text.slice(0, whole)) : undefined;
    this.fileId = found ?? randomUUID();
    if (found === undefined && this.bytes > 0) {
      // A file from before ids: it gets one now. Unwritable (a full disk), the id lives in
      // memory only: a restart then replays the whole file again.
      const line = idLine(this.fileId);
      try {
        appendFileSync(path, line, { mode: 0o600 });
        this.bytes += Buffer.byteLength(line);
      } catch {
        // See above.
      }
    }
  }

  /** The file's id (stable across restarts once written; a new one after `clear`). */
  get id(): string {
    return this.fileId;
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
    // A new file starts with the line naming it, in the same write as its first records.
    const lines = this.bytes === 0 ? [idLine(this.fileId)] : [];
    // Counted as lines are added: measuring the growing text at each line took time in the square of the records.
    let textBytes = lines.length > 0 ? Buffer.byteLength(lines[0]!) : 0;
    let count = 0;
    const limit = this.maxBytes - (this.marker ? MARK_RESERVE_BYTES : 0);
    for (const record of records) {
      const line = JSON.stringify(record) + '\n';
      const lineBytes = Buffer.byteLength(line);
      if (this.bytes + textBytes + lineBytes > limit) break;
      lines.push(line);
      textBytes += lineBytes;
      count++;
    }
    if (count === 0) return 0;
    let text = lines.join('');
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

  /**
   * Why `record` can never be spilled: its line (with room for a marker line) is larger
   * than `maxBytes` even in an empty file; undefined when it fits an empty file. A caller
   * drops such a record (reported) rather than let it block every record behind it.
   */
  tooLarge(record: CallRecord): Error | undefined {
    const bytes = Buffer.byteLength(JSON.stringify(record)) + 1 + Buffer.byteLength(idLine(this.fileId));
    const limit = this.maxBytes - (this.marker ? MARK_RESERVE_BYTES : 0);
    if (bytes <= limit) return undefined;
    return new Error(`call record of ${bytes} bytes is larger than the spill file can hold (spill_max_bytes ${this.maxBytes}): dropped instead of spilled`);
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

  /**
   * The records after the first `skip` (oldest first), read without changing the file.
   * A whole line that does not parse is no record (and takes no position).
   */
  readFrom(skip: number): CallRecord[] {
    if (this.records <= skip || !existsSync(this.path)) return [];
    const out: CallRecord[] = [];
    let seen = 0;
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      const record = recordOf(line);
      if (record !== undefined && ++seen > skip) out.push(record);
    }
    return out;
  }

  /** Deletes the file (every record in it is stored); the next append starts a new file with a new id. */
  clear(): void {
    if (existsSync(this.path)) unlinkSync(this.path);
    this.bytes = 0;
    this.records = 0;
    this.fileId = randomUUID();
  }
}

/**
 * Appends `records` (oldest first) to `spill` as far as they fit, with one exception: a
 * record too large for even an empty file (SpillFile.tooLarge) is dropped and skipped,
 * so it cannot keep the records behind it out of the file. Tells `spilled` of each run of
 * records appended and `dropped` of each record dropped (with the reason), in file order,
 * each as it happens; stops when the file is full.
 * @returns how many of `records`, from the front, left the caller's hands (spilled or dropped).
 * @throws what an append throws (after telling of the runs already done).
 */
export function spillFront(
  spill: SpillFile,
  records: readonly CallRecord[],
  spilled: (part: readonly CallRecord[]) => void,
  dropped: (record: CallRecord, reason: Error) => void,
): number {
  let done = 0;
  while (done < records.length) {
    const rest = done === 0 ? records : records.slice(done);
    const moved = spill.append(rest);
    if (moved > 0) spilled(moved === rest.length ? rest : rest.slice(0, moved));
    done += moved;
    if (done === records.length) break;
    const reason = spill.tooLarge(records[done]!);
    if (reason === undefined) break; // the file is full
    dropped(records[done]!, reason);
    done++;
  }
  return done;
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** The line naming a file `id` (ID_PREFIX). */
function idLine(id: string): string {
  return `${ID_PREFIX}${JSON.stringify(id)}}\n`;
}

/** The id named by the file's text; undefined when it has none. */
function idIn(text: string): string | undefined {
  for (let start = text.indexOf(ID_PREFIX); start !== -1; start = text.indexOf(ID_PREFIX, start + 1)) {
    if (start !== 0 && text[start - 1] !== '\n') continue;
    const end = text.indexOf('\n', start);
    const id = (parseLine(text.slice(start, end === -1 ? undefined : end)) as { spillFile?: unknown } | undefined)?.spillFile;
    if (typeof id === 'string') return id;
  }
  return undefined;
}

/** The record on `line`; undefined for a marker line, an empty one, or one that does not parse. */
function recordOf(line: string): CallRecord | undefined {
  if (line.trim() === '' || line.startsWith(MARK_PREFIX) || line.startsWith(ID_PREFIX)) return undefined;
  const record = parseLine(line);
  return typeof record === 'object' && record !== null ? (record as CallRecord) : undefined;
}

function countRecords(text: string): number {
  let n = 0;
  for (let start = 0, end = text.indexOf('\n'); end !== -1; start = end + 1, end = text.indexOf('\n', start)) {
    if (recordOf(text.slice(start, end)) !== undefined) n++;
  }
  return n;
}
