import { GrowingBytes } from '../lib/bytes.js';
import type { SseFrame } from './types.js';

const LF = 0x0a;
const CR = 0x0d;
/** The tail buffer's first size (bytes): an SSE frame split across reads is usually smaller. */
const MIN_CAPACITY = 4096;

/**
 * Receives one frame and its exact bytes (content plus terminating blank line). `raw` is a
 * view, valid until the framer's next `push` or `end`: copy it to keep it longer.
 */
export type FrameSink = (frame: SseFrame, raw: Uint8Array) => void;

/** Lets frames that need no observing pass as bytes, never decoded. */
export interface FrameBypass {
  /** A byte-level check: true when the frame needs no decoding. */
  passes(raw: Uint8Array): boolean;
  /** Receives the exact bytes of a frame that `passes`, instead of the frame sink. */
  passed(raw: Uint8Array): void;
}

/**
 * Incremental, byte-level Server-Sent Events frame reader for the proxy's hot path.
 *
 * Follows the SSE line rules: a line ends at CRLF, LF or CR, and a frame ends at an
 * empty line (so `\n\n`, `\r\n\r\n`, `\r\r` and mixed forms all end a frame).
 *
 * Invariants:
 * - Concatenating every `raw` handed out by `push` and `end` reproduces the input byte
 *   for byte; each `raw` is one frame including its terminating blank line.
 * - A frame is decoded (UTF-8) only once all its bytes are in, so multi-byte
 *   characters split across chunks are safe.
 * - Only the incomplete tail is buffered. Bytes already scanned are not scanned again,
 *   so a large frame arriving in many small chunks costs linear time.
 * - `raw` is a view, never a copy: into the pushed chunk when the frame lies within it,
 *   otherwise into the framer's own tail buffer (`owns`), which the next `push` may
 *   overwrite. The framer never writes to pushed chunks.
 * - A CR that ends a frame and is the last byte received so far is held back until the
 *   next byte shows whether it is half of a CRLF. LF and CRLF streams never wait.
 *
 * Frames without data (comment-only frames, stray blank lines) are still emitted, with
 * `data: ''`, so their bytes reach the client.
 *
 * `bypass` (optional): a frame completed by `push` that `bypass.passes` is handed to
 * `bypass.passed` as bytes only, never decoded (the frames `end` flushes are always decoded).
 */
export class SseFramer {
  private readonly decoder = new TextDecoder();
  /** The incomplete tail (always the start of a frame), owned. */
  private readonly tail = new GrowingBytes(MIN_CAPACITY);
  /** Offset in the tail where scanning resumes; no frame ends before it. */
  private resume = 0;
  /** The tail is one whole frame, held back only because its last byte is a CR that may be half of a CRLF. */
  private heldWhole = false;

  constructor(private readonly bypass?: FrameBypass) {}

  /** Feeds the next chunk; calls `onFrame` (or the bypass) for every frame completed by it, in order. */
  push(chunk: Uint8Array, onFrame: FrameSink): void {
    if (chunk.length === 0) return;
    const tail = this.tail;
    if (tail.length === 0) {
      const rest = this.scan(chunk, 0, onFrame);
      if (rest < chunk.length) {
        tail.append(chunk.subarray(rest));
        this.resume -= rest;
      }
      return;
    }
    tail.append(chunk);
    const rest = this.scan(tail.view(), this.resume, onFrame);
    if (rest > 0) {
      tail.drop(rest);
      this.resume -= rest;
    }
  }

  /** True when `bytes` is a view into the framer's own buffer: it changes at the next `push` or `end`. */
  owns(bytes: Uint8Array): boolean {
    return this.tail.holds(bytes);
  }

  /** True while part of a frame has been pushed but not yet completed. */
  get midFrame(): boolean {
    return this.tail.length > 0;
  }

  /**
   * True when the bytes held are one whole frame waiting only for the byte after its last
   * CR (an LF would belong to it): a body that ends abnormally now will never send that
   * byte, so `end` hands the frame on as it is.
   */
  get holdsWholeFrame(): boolean {
    return this.heldWhole && this.tail.length > 0;
  }

  /** Flushes the buffered tail (an unterminated last frame), if any, and resets the framer. */
  end(onFrame: FrameSink): void {
    if (this.tail.length > 0) {
      // A view is safe to keep here: clear() lets the buffer go, nothing writes to it again.
      const raw = this.tail.view();
      onFrame(this.parse(raw), raw);
    }
    this.tail.clear();
    this.resume = 0;
    this.heldWhole = false;
  }

  /**
   * Emits every complete frame in `d`, scanning from `from` (the first frame starts at 0).
   * Returns the offset of the incomplete tail and sets `resume` relative to `d`.
   */
  private scan(d: Uint8Array, from: number, onFrame: FrameSink): number {
    const n = d.length;
    let frameStart = 0;
    let p = from;
    // Cached positions of the next LF / CR at or after p; -1 = none left in `d`.
    let lfAt = -2;
    let crAt = -2;
    this.heldWhole = false;
    for (;;) {
      if (lfAt !== -1 && lfAt < p) lfAt = d.indexOf(LF, p);
      if (crAt !== -1 && crAt < p) crAt = d.indexOf(CR, p);
      const i = lfAt === -1 ? crAt : crAt === -1 ? lfAt : Math.min(lfAt, crAt);
      if (i === -1) {
        p = n;
        break;
      }
      // `i` starts a run of line-end bytes; it is preceded by content or by frameStart.
      let end: number;
      if (i === frameStart) {
        end = eolEnd(d, i);
      } else {
        const j = eolEnd(d, i);
        if (j === -1 || j === n) {
          p = i;
          break;
        }
        const b = d[j];
        if (b !== LF && b !== CR) {
          p = j;
          continue;
        }
        end = eolEnd(d, j);
        // The blank line that ends the frame has begun with a CR, the last byte so far.
        if (end === -1) this.heldWhole = true;
      }
      if (end === -1) {
        p = i;
        break;
      }
      // A frame that is the whole pushed chunk is handed on as the chunk itself.
      const raw = frameStart === 0 && end === n ? d : d.subarray(frameStart, end);
      const bypass = this.bypass;
      if (bypass !== undefined && bypass.passes(raw)) bypass.passed(raw);
      else onFrame(this.parse(raw), raw);
      frameStart = end;
      p = end;
    }
    this.resume = p;
    return frameStart;
  }

  /** Decodes one complete frame and reads its `event:` and `data:` fields. */
  private parse(raw: Uint8Array): SseFrame {
    const text = this.decoder.decode(raw);
    // The common frame, `data: …` on one line ended by LF LF, needs no line split.
    const lf = text.indexOf('\n');
    if (lf === text.length - 2 && text.startsWith('data: ') && text.charCodeAt(lf + 1) === LF && !text.includes('\r')) return { event: '', data: text.slice(6, lf) };
    const lines = text.includes('\r') ? text.split(/\r\n|\r|\n/) : text.split('\n');
    let event = '';
    let data: string | null = null;
    for (const line of lines) {
      if (line.length === 0 || line.charCodeAt(0) === 0x3a) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      if (field !== 'data' && field !== 'event') continue;
      let value = '';
      if (colon !== -1) {
        const start = line.charCodeAt(colon + 1) === 0x20 ? colon + 2 : colon + 1;
        value = line.slice(start);
      }
      if (field === 'event') event = value;
      else data = data === null ? value : `${data}\n${value}`;
    }
    return { event, data: data ?? '' };
  }
}

/**
 * End offset of the line ending starting at `i` (CRLF, LF or CR), or -1 when `d[i]` is
 * a CR that is the last byte available (it may be the first half of a CRLF).
 */
function eolEnd(d: Uint8Array, i: number): number {
  if (d[i] === LF) return i + 1;
  if (i + 1 >= d.length) return -1;
  return d[i + 1] === LF ? i + 2 : i + 1;
}
