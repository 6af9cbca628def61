import { describe, expect, it } from 'vitest';
import { concatBytes, GrowingBytes, joinBytes } from '../../src/lib/bytes.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('bytes', () => {
  it('concatBytes joins parts in order, empty ones included', () => {
    expect(text(concatBytes([bytes('ab'), bytes(''), bytes('cde')]))).toBe('abcde');
    expect(concatBytes([]).length).toBe(0);
  });

  it('joinBytes gives a view over parts side by side in one buffer, and a copy otherwise', () => {
    const chunk = bytes('data: a\n\ndata: b\n\ndata: c\n\n');
    const frames = [chunk.subarray(0, 9), chunk.subarray(9, 18), chunk.subarray(18)];
    const whole = joinBytes(frames);
    expect(text(whole)).toBe(text(chunk));
    expect(whole.buffer).toBe(chunk.buffer);
    const tail = joinBytes(frames.slice(1));
    expect([text(tail), tail.buffer === chunk.buffer, tail.byteOffset]).toEqual(['data: b\n\ndata: c\n\n', true, 9]);
    // Not side by side (a frame left out, or the order changed), or from two buffers: copied.
    for (const parts of [[frames[0], frames[2]], [frames[1], frames[0]], [frames[0], bytes('data: b\n\n')]] as Uint8Array[][]) {
      const out = joinBytes(parts);
      expect(out.buffer === chunk.buffer).toBe(false);
      expect(text(out)).toBe(parts.map(text).join(''));
    }
    expect(joinBytes([frames[1] as Uint8Array])).toBe(frames[1]);
    expect(joinBytes([]).length).toBe(0);
    expect(text(chunk)).toBe('data: a\n\ndata: b\n\ndata: c\n\n');
  });

  it('GrowingBytes keeps every piece in order across many growths, and owns its bytes', () => {
    const first = bytes('HTTP/1.1 ');
    const g = new GrowingBytes();
    g.append(first);
    first.fill(0); // the first piece was copied
    let expected = 'HTTP/1.1 ';
    for (let i = 0; i < 2000; i++) {
      const piece = `h${i}:`;
      g.append(bytes(piece));
      expected += piece;
    }
    expect(g.length).toBe(expected.length);
    expect(text(g.view())).toBe(expected);
  });

  it('GrowingBytes drops what was handed on, keeps appending after it, and clears', () => {
    const g = new GrowingBytes(4);
    g.append(bytes('data: a\n\nda'));
    g.drop(9);
    expect(text(g.view())).toBe('da');
    g.append(bytes('ta: b'));
    expect(text(g.view())).toBe('data: b');
    g.clear();
    expect(g.length).toBe(0);
    g.append(bytes('x'));
    expect(text(g.view())).toBe('x');
  });
});
