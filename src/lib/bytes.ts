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
 * Bytes that arrive in pieces, kept in one buffer that grows by doubling, so n pieces
 * cost O(total) copying instead of the O(n · total) of joining them each time.
 */
export class GrowingBytes {
  private buf: Uint8Array;
  private len = 0;

  /** `first`: the first piece (copied). */
  constructor(first: Uint8Array) {
    this.buf = new Uint8Array(Math.max(first.length * 2, 256));
    this.append(first);
  }

  append(bytes: Uint8Array): void {
    const need = this.len + bytes.length;
    if (need > this.buf.length) {
      const grown = new Uint8Array(Math.max(need, this.buf.length * 2));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(bytes, this.len);
    this.len = need;
  }

  get length(): number {
    return this.len;
  }

  /** The bytes so far (a view: valid until the next append). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}
