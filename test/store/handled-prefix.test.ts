import { describe, expect, it } from 'vitest';
import { HandledPrefix } from '../../src/store/handled-prefix.js';
import { makeCall } from './fixtures.js';

/**
 * The writer thread confirms records to the main thread as the longest handled prefix in
 * posting order, so a record handled out of order (refused, spilled, or written after a
 * retry) never lets the main thread forget an earlier one the thread still only holds.
 * The same prefix, computed ahead of a commit (`after`), is the mark stored with it.
 */
describe('HandledPrefix', () => {
  const received = (p: HandledPrefix, n: number, first = 1) => {
    const r = Array.from({ length: n }, (_, i) => makeCall(first + i));
    r.forEach((record, i) => p.receive(record, first + i));
    return r;
  };

  it('advances only over a gap-free prefix of the records received, in posting order', () => {
    const p = new HandledPrefix();
    const r = received(p, 5);
    p.handle([r[2]!, r[3]!]); // e.g. refused while 1 and 2 wait for a failing store
    expect(p.count).toBe(0);
    p.handle([r[0]!]);
    expect(p.count).toBe(1);
    p.handle([r[1]!]);
    expect(p.count).toBe(4);
    p.handle([makeCall(99)]); // replayed from an earlier run's spill file: not the main thread's
    p.handle([r[3]!]); // handled twice (written after being counted): no effect
    expect(p.count).toBe(4);
    p.handle([r[4]!]);
    expect(p.count).toBe(5);
  });

  it('tells the count a batch would give without settling it, in order or not', () => {
    const p = new HandledPrefix();
    const r = received(p, 6);
    p.handle([r[2]!]); // 3 refused early
    expect(p.after([r[0]!, r[1]!])).toBe(3);
    expect(p.count).toBe(0);
    expect(p.after([r[1]!, r[0]!])).toBe(3);
    expect(p.after([r[0]!, r[4]!])).toBe(1);
    expect(p.after([makeCall(99), r[0]!])).toBe(1);
    p.handle([r[0]!, r[1]!]);
    expect(p.after([r[3]!, r[4]!, r[5]!])).toBe(6);
  });

  it('starts after the prefix an earlier thread of the same run confirmed', () => {
    const p = new HandledPrefix(40);
    const r = received(p, 3, 41);
    expect(p.after([r[0]!])).toBe(41);
    p.handle([r[1]!]);
    expect(p.count).toBe(40);
    p.handle([r[0]!]);
    expect(p.count).toBe(42);
  });
});
