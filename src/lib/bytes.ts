/** The parts one after another in one new array (bytes). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
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
 * buffer (the frames of one pushed chunk, say), otherwise a new array (`concatBytes`).
 * So the result may share memory with the parts; it never modifies them.
 */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  const first = parts[0];
  if (first === undefined) return new Uint8Array(0);
  let end = first.byteOffset + first.length;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i] as Uint8Array;
    if (part.buffer !== first.buffer || part.byteOffset !== end) return concatBytes(parts);
    end += part.length;
  }
  return parts.length === 1 ? first : new Uint8Array(first.buffer, first.byteOffset, end - first.byteOffset);
}

/**
 * Bytes that arrive in pieces, kept in one buffer that grows by doubling, so n pieces
 * cost O(total) copying instead of the O(n · total) of joining them each time. Used for a
 * response head that comes in pieces (the socket client) and an SSE frame's unfinished
 * tail (providers/sse.ts), which also drops the bytes it has handed on.
 */
export class GrowingBytes {
  private buf = NO_BYTES;
  private len = 0;

  /** `minCapacity`: the size (bytes) of the buffer made for the first piece, at least. */
  constructor(private readonly minCapacity = 256) {}

  /** Appends a copy of `bytes`. */
  append(bytes: Uint8Array): void {
    const need = this.len + bytes.length;
    if (need > this.buf.length) {
      const grown = new Uint8Array(Math.max(need, this.buf.length * 2, this.minCapacity));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(bytes, this.len);
    this.len = need;
  }

  get length(): number {
    return this.len;
  }

  /** The bytes so far (a view: valid until the next append, drop or clear). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** Forgets the first `n` bytes (the rest moves to the front; the buffer is kept). */
  drop(n: number): void {
    this.buf.copyWithin(0, n, this.len);
    this.len -= n;
  }

  /** Forgets everything and lets the buffer go. */
  clear(): void {
    this.buf = NO_BYTES;
    this.len = 0;
  }
}

const NO_BYTES = new Uint8Array(0);
