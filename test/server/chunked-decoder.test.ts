import { describe, expect, it } from 'vitest';
import { ChunkedDecoder } from '../../src/server/chunked-decoder.js';
import { MalformedResponse } from '../../src/server/http1-response.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (parts: Uint8Array[]) => new TextDecoder().decode(Buffer.concat(parts));
const IGNORE = { push: () => {} };

describe('chunked bodies', () => {
  const WIRE = '5;ext=1\r\nhello\r\n7\r\n, world\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer: x\r\n\r\n';

  it('gives the chunk data and stops after the last chunk and its trailers, leaving the next response alone', () => {
    const d = new ChunkedDecoder();
    const out: Uint8Array[] = [];
    const wire = bytes(`${WIRE}HTTP/1.1 200 OK`);
    const used = d.push(wire, { push: (data) => out.push(data.slice()) });
    expect(text(out)).toBe('hello, worldabcdefghijklmnopqrstuvwxyz');
    expect(d.done).toBe(true);
    expect(used).toBe(WIRE.length);
  });

  it('gives the same data however the wire is split, down to one byte at a time', () => {
    const wire = bytes(WIRE);
    for (const size of [1, 2, 3, 5, 8, 13]) {
      const d = new ChunkedDecoder();
      const out: Uint8Array[] = [];
      let used = 0;
      for (let i = 0; i < wire.length; i += size) used += d.push(wire.subarray(i, i + size), { push: (data) => out.push(data.slice()) });
      expect(text(out)).toBe('hello, worldabcdefghijklmnopqrstuvwxyz');
      expect(d.done).toBe(true);
      expect(used).toBe(wire.length);
    }
  });

  it('refuses chunk data that runs past its size, however the wire is split', () => {
    for (const wire of ['5\r\nhello!\r\n0\r\n\r\n', '5\r\nhello\r!0\r\n\r\n', '5\r\nhel\r\n0\r\n\r\n', '5\r\nhello\r\r\n0\r\n\r\n']) {
      for (const size of [1, 3, wire.length]) {
        const d = new ChunkedDecoder();
        const push = () => {
          for (let i = 0; i < wire.length; i += size) d.push(bytes(wire).subarray(i, i + size), IGNORE);
        };
        expect(push, `${JSON.stringify(wire)} in pieces of ${size}`).toThrow(/chunk data not followed by CRLF/);
      }
    }
  });

  it('takes a bare LF after chunk data, as it does after a size line', () => {
    const d = new ChunkedDecoder();
    const out: Uint8Array[] = [];
    d.push(bytes('5\nhello\n0\n\n'), { push: (data) => out.push(data.slice()) });
    expect(text(out)).toBe('hello');
    expect(d.done).toBe(true);
  });

  it('takes spaces around the size, upper-case digits, extensions and trailers split anywhere', () => {
    const wire = bytes(' 5 \r\nhello\r\nA;name="v; x"\r\n0123456789\r\n0\r\nX-One: 1\r\nX-Two: 2\r\n\r\nnext');
    for (const size of [1, 2, 7, wire.length]) {
      const d = new ChunkedDecoder();
      const out: Uint8Array[] = [];
      let used = 0;
      for (let i = 0; i < wire.length && !d.done; i += size) used += d.push(wire.subarray(i, i + size), { push: (data) => out.push(data.slice()) });
      expect(text(out)).toBe('hello0123456789');
      expect(d.done).toBe(true);
      expect(used).toBe(wire.length - 'next'.length);
    }
  });

  it('refuses size lines that are not one hexadecimal number: digits after a space, no digits, 13 digits', () => {
    for (const wire of ['5 5\r\nhello\r\n', ';ext\r\nhello\r\n', '\r\nhello\r\n', '1000000000000\r\n']) {
      expect(() => new ChunkedDecoder().push(bytes(wire), IGNORE), JSON.stringify(wire)).toThrow(MalformedResponse);
    }
    expect(() => new ChunkedDecoder().push(bytes('5 5\r\n'), IGNORE)).toThrow(/invalid chunk size "5 5"/);
  });

  it('refuses a size or trailer line longer than 8 KiB', () => {
    expect(() => new ChunkedDecoder().push(bytes(`5;${'x'.repeat(9000)}\r\n`), IGNORE)).toThrow(/chunk size line too long/);
    expect(() => new ChunkedDecoder().push(bytes(`0\r\nX: ${'x'.repeat(9000)}\r\n\r\n`), IGNORE)).toThrow(/line too long/);
  });

  it('refuses a chunk size that is not hexadecimal', () => {
    expect(() => new ChunkedDecoder().push(bytes('zz\r\nhello\r\n'), IGNORE)).toThrow(/invalid chunk size "zz"/);
  });
});
