import { describe, expect, it } from 'vitest';
import { SettledPrefix } from '../../src/store/writer-thread.js';
import { makeCall } from './fixtures.js';

/**
 * The writer thread confirms records to the main thread as the longest settled prefix in
 * posting order, so a record settled out of order (refused, spilled, or written after a
 * retry) never lets the main thread forget an earlier one the thread still only holds.
 */
describe('SettledPrefix', () => {
  it('advances only over a gap-free prefix of the records received, in posting order', () => {
    const p = new SettledPrefix();
    const r = Array.from({ length: 5 }, (_, i) => makeCall(i));
    for (const record of r) p.receive(record);
    p.settle([r[2]!, r[3]!]); // e.g. refused while 1 and 2 wait for a failing store
    expect(p.count).toBe(0);
    p.settle([r[0]!]);
    expect(p.count).toBe(1);
    p.settle([r[1]!]);
    expect(p.count).toBe(4);
    p.settle([makeCall(99)]); // replayed from an earlier run's spill file: not the main thread's
    p.settle([r[3]!]); // settled twice (written after being counted): no effect
    expect(p.count).toBe(4);
    p.settle([r[4]!]);
    expect(p.count).toBe(5);
  });
});
