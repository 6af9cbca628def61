import { GrowingBytes } from '../lib/bytes.js';

const LF = 0x0a;
const CR = 0x0d;
/** The tail buffer's first size (bytes): most lines split across reads are smaller. */
const MIN_CAPACITY = 1024;

/** Receives one line of a newline-delimited JSON stream, decoded, without its line end. */
export type LineSink = (line: string) => void;

/**
 * Incremental reader of a newline-delimited JSON stream (one JSON value per line, each line
 * ended by LF or CRLF), such as Cohere's v1 chat stream. It only reads: the bytes the
 * client gets are the pushed chunks themselves.
 *
 * Invariants:
 * - Every non-empty line is handed on once, in order, decoded (UTF-8) only once all its
 *   bytes are in, so multi-byte characters split across chunks are safe. A CR before the
 *   LF is not part of the line; empty lines are skipped.
 * - Only the unfinished last line is buffered, and each byte is scanned once, so a long
 *   line arriving in many small chunks costs linear time.
 * - `end` hands on an unfinished last line (a body that ends without a final LF).
 */
export class LineFramer {
  private readonly decoder = new TextDecoder();
  /** The unfinished last line, owned. */
  private readonly tail = new GrowingBytes(MIN_CAPACITY);

  /** Feeds the next chunk; calls `onLine` for every line completed by it, in order. */
  push(chunk: Uint8Array, onLine: LineSink): void {
    let start = 0;
    let lf = chunk.indexOf(LF);
    if (lf !== -1 && this.tail.length > 0) {
      this.tail.append(chunk.subarray(0, lf));
      this.emit(this.tail.view(), onLine);
      this.tail.drop(this.tail.length);
      start = lf + 1;
      lf = chunk.indexOf(LF, start);
    }
    for (; lf !== -1; lf = chunk.indexOf(LF, start)) {
      this.emit(chunk.subarray(start, lf), onLine);
      start = lf + 1;
    }
    if (start < chunk.length) this.tail.append(chunk.subarray(start));
  }

  /** True while part of a line has been pushed but not yet completed. */
  get midLine(): boolean {
    return this.tail.length > 0;
  }

  /** Hands on the unfinished last line, if any, and resets the reader. */
  end(onLine: LineSink): void {
    if (this.tail.length > 0) this.emit(this.tail.view(), onLine);
    this.tail.clear();
  }

  private emit(line: Uint8Array, onLine: LineSink): void {
    const length = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
    if (length === 0) return;
    onLine(this.decoder.decode(length === line.length ? line : line.subarray(0, length)));
  }
}
