import { describe, expect, it } from 'vitest';
import { OutputHistory } from '../../src/budget/output-history.js';

const DAY = 86_400_000;
const t = Date.parse('2026-11-20T12:00:00Z');

describe('OutputHistory', () => {
  it('keeps the largest output per key and model over today and the 7 days before', () => {
    const h = new OutputHistory();
    h.observe('k', 'm', 40, t - 7 * DAY);
    h.observe('k', 'm', 10, t);
    h.observe('k', 'm', 25, t);
    expect(h.max('k', 'm', t)).toBe(40);
    expect(h.max('k', 'm', t + DAY)).toBe(25);
    expect(h.max('k', 'other', t)).toBeUndefined();
    expect(h.max(null, 'm', t)).toBeUndefined();
    // A day never seen again is not mistaken for the same slot eight days later.
    expect(h.max('k', 'm', t + 8 * DAY)).toBeUndefined();
  });

  it('ignores calls without key or model, bad counts, and an older day arriving for a reused slot', () => {
    const h = new OutputHistory();
    h.observe(null, 'm', 5, t);
    h.observe('k', null, 5, t);
    h.observe('k', 'm', Number.NaN, t);
    h.observe('k', 'm', -1, t);
    expect(h.max('k', 'm', t)).toBeUndefined();
    h.observe('k', 'm', 7, t);
    h.observe('k', 'm', 900, t - 8 * DAY); // same slot, older day: outside the window anyway
    expect(h.max('k', 'm', t)).toBe(7);
    h.observe('k', 'm', 0, t);
    expect(h.max('k', 'm', t)).toBe(7);
  });

  // It used to start afresh (every key's history gone at once): since a call without history
  // is held at its model's whole context window, that made every key's next calls on a small
  // budget run one at a time together (a review: 5,000 tenant keys × 4 models reach 20,000).
  it('stays bounded: beyond maxEntries (key, model) pairs it forgets the key observed least recently, not every key', () => {
    const h = new OutputHistory({ maxEntries: 3 });
    h.observe('a', 'm', 10, t);
    h.observe('b', 'm', 11, t);
    h.observe('c', 'm', 12, t);
    // a answers again: b is now the key observed least recently.
    h.observe('a', 'm', 5, t);
    h.observe('d', 'm', 50, t);
    expect(h.max('b', 'm', t)).toBeUndefined();
    expect([h.max('a', 'm', t), h.max('c', 'm', t), h.max('d', 'm', t)]).toEqual([10, 12, 50]);
    // Recency now c, a, d: a new pair of d makes c go.
    h.observe('d', 'm2', 60, t);
    expect(h.max('c', 'm', t)).toBeUndefined();
    expect([h.max('a', 'm', t), h.max('d', 'm', t), h.max('d', 'm2', t)]).toEqual([10, 50, 60]);
    // A key with several models goes whole: e (new) needs one pair, a goes (1), then d (2 more) is next.
    h.observe('e', 'm', 1, t);
    expect(h.max('a', 'm', t)).toBeUndefined();
    expect([h.max('d', 'm', t), h.max('d', 'm2', t), h.max('e', 'm', t)]).toEqual([50, 60, 1]);
    // One key naming ever new models stays bounded too: its own oldest pairs go.
    for (let i = 0; i < 10; i++) h.observe('e', `x${i}`, i, t);
    expect(h.max('e', 'x9', t)).toBe(9);
    expect(h.max('d', 'm', t)).toBeUndefined();
    expect(['m', ...Array.from({ length: 9 }, (_, i) => `x${i}`)].filter((m) => h.max('e', m, t) !== undefined).length).toBeLessThanOrEqual(3);
  });
});
