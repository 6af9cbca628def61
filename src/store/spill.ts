import { appendFileSync, existsSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import type { CallRecord } from './types.js';

/**
 * A bounded file of call records that could not be written to the database (read-only,
 * full, broken), one JSON object per line, created with mode 0600. The write queue
 * spills into it while the store fails and replays it once the store works again, also
 * after a restart. Invariant: the file never grows past `maxBytes`.
 */
export class SpillFile {
  private bytes: number;
  private records: number;

  constructor(
    readonly path: string,
    /** Largest size of the file in bytes. */
    readonly maxBytes: number = 64 * 1024 * 1024,
  ) {
    this.bytes = existsSync(path) ? statSync(path).size : 0;
    this.records = this.bytes > 0 ? countLines(readFileSync(path, 'utf8')) : 0;
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
    for (const record of records) {
      const line = JSON.stringify(record) + '\n';
      if (this.bytes + Buffer.byteLength(text) + Buffer.byteLength(line) > this.maxBytes) break;
      text += line;
      count++;
    }
    if (count === 0) return 0;
    appendFileSync(this.path, text, { mode: 0o600 });
    this.bytes += Buffer.byteLength(text);
    this.records += count;
    return count;
  }

  /** Reads every spilled record (oldest first) and removes the file. */
  takeAll(): CallRecord[] {
    if (this.records === 0 || !existsSync(this.path)) return [];
    const lines = readFileSync(this.path, 'utf8').split('\n');
    const out: CallRecord[] = [];
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line) as CallRecord);
      } catch {
        // A torn last line from a crash mid-append: everything before it is intact.
      }
    }
    unlinkSync(this.path);
    this.bytes = 0;
    this.records = 0;
    return out;
  }
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
