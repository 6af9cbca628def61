import { describe, expect, it } from 'vitest';
import { concatBytes, GrowingBytes } from '../../src/lib/bytes.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('bytes', () => {
  it('concatBytes joins parts in order, empty ones included', () => {
    expect(text(concatBytes([bytes('ab'), bytes(''), bytes('cde')]))).toBe('abcde');
    expect(concatBytes([]).length).toBe(0);
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
