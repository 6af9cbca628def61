import { describe, expect, it } from 'vitest';
import { concatBytes, GrowingBytes, joinBytes } from '../../src/lib/bytes.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('bytes', () => {
  it('concatBytes joins parts in order, empty ones included; one part is handed back itself', () => {
    expect(text(concatBytes([bytes('ab'), bytes(''), bytes('cde')]))).toBe('abcde');
    expect(concatBytes([]).length).toBe(0);
    const one = bytes('only');
    expect(concatBytes([one])).toBe(one);
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
    // Runs of adjacent parts around a part left out, and parts of another buffer between them.
    const five = bytes('data: 0\n\ndata: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\n');
    const f5 = [0, 1, 2, 3, 4].map((i) => five.subarray(9 * i, 9 * i + 9));
    for (const parts of [[f5[0], f5[1], f5[3], f5[4]], [f5[1], f5[2], bytes('x'), f5[3], f5[4], f5[0]], [f5[4], f5[3], f5[2]]] as Uint8Array[][]) {
      expect(text(joinBytes(parts))).toBe(parts.map(text).join(''));
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

  it('GrowingBytes leaves a view intact through a drop until the next append, and knows its own views', () => {
    const g = new GrowingBytes(64);
    g.append(bytes('data: a\n\ndata: b'));
    const handed = g.view().subarray(0, 9);
    g.drop(9);
    expect([text(handed), text(g.view()), g.length]).toEqual(['data: a\n\n', 'data: b', 7]);
    expect([g.holds(handed), g.holds(bytes('data: a\n\n'))]).toEqual([true, false]);
    g.append(bytes('\n\n'));
    expect(text(g.view())).toBe('data: b\n\n');
    expect(text(handed)).not.toBe('data: a\n\n'); // the append moved the kept bytes over it
    g.drop(g.length);
    expect(g.length).toBe(0);
    g.clear();
    expect(g.holds(handed)).toBe(false);
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
