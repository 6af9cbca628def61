/** The parts one after another: the part itself when there is one, else one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * The parts one after another: a view over them when they already lie side by side in one
 * buffer (the frames of one pushed chunk, say), otherwise a new array in which each run of
 * parts that lie side by side is copied in one piece (the frames of a read with one frame
 * left out: two copies, not one per frame). The result may share memory with the parts;
 * it never modifies them.
 */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  const first = parts[0];
  if (first === undefined) return new Uint8Array(0);
  let total = first.length;
  let runs = 1;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i] as Uint8Array;
    total += part.length;
    if (!follows(parts[i - 1] as Uint8Array, part)) runs++;
  }
  if (runs === 1) return parts.length === 1 ? first : new Uint8Array(first.buffer, first.byteOffset, total);
  const out = new Uint8Array(total);
  let offset = 0;
  let runStart = first;
  let runLength = first.length;
  for (let i = 1; i <= parts.length; i++) {
    const part = parts[i];
    if (part !== undefined && follows(parts[i - 1] as Uint8Array, part)) {
      runLength += part.length;
      continue;
    }
    out.set(runLength === runStart.length ? runStart : new Uint8Array(runStart.buffer, runStart.byteOffset, runLength), offset);
    offset += runLength;
    if (part !== undefined) {
      runStart = part;
      runLength = part.length;
    }
  }
  return out;
}

/** True when `b` starts where `a` ends, in the same buffer. */
function follows(a: Uint8Array, b: Uint8Array): boolean {
  return b.buffer === a.buffer && b.byteOffset === a.byteOffset + a.length;
}

/**
 * Bytes that arrive in pieces, kept in one buffer that grows by doubling, so n pieces
 * cost O(total) copying instead of the O(n · total) of joining them each time. Used for a
 * response head that comes in pieces (the socket client) and an SSE frame's unfinished
 * tail (providers/sse.ts), which also drops the bytes it has handed on.
 */
export class GrowingBytes {
  private buf = NO_BYTES;
  /** The bytes kept are buf[start, end); those before `start` were dropped and leave at the next append. */
  private start = 0;
  private end = 0;

  /** `minCapacity`: the size (bytes) of the buffer made for the first piece, at least. */
  constructor(private readonly minCapacity = 256) {}

  /** Appends a copy of `bytes` (moving the kept bytes to the front first). */
  append(bytes: Uint8Array): void {
    const kept = this.end - this.start;
    const need = kept + bytes.length;
    if (need > this.buf.length) {
      const grown = new Uint8Array(Math.max(need, this.buf.length * 2, this.minCapacity));
      grown.set(this.buf.subarray(this.start, this.end));
      this.buf = grown;
    } else if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
    }
    this.start = 0;
    this.buf.set(bytes, kept);
    this.end = need;
  }

  get length(): number {
    return this.end - this.start;
  }

  /** The bytes kept (a view: valid until the next append or clear; a drop leaves it intact). */
  view(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  /** Forgets the first `n` bytes kept. Nothing moves until the next append, so views taken before stay intact until then. */
  drop(n: number): void {
    this.start += n;
    if (this.start >= this.end) this.start = this.end = 0;
  }

  /** True when `bytes` is a view into this buffer (so it changes at the next append). */
  holds(bytes: Uint8Array): boolean {
    return this.buf.length > 0 && bytes.buffer === this.buf.buffer;
  }

  /** Forgets everything and lets the buffer go. */
  clear(): void {
    this.buf = NO_BYTES;
    this.start = this.end = 0;
  }
}

const NO_BYTES = new Uint8Array(0);
