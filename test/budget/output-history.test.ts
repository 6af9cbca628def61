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

  it('stays bounded: beyond maxEntries (key, model) pairs it starts afresh', () => {
    const h = new OutputHistory({ maxEntries: 3 });
    for (let i = 0; i < 3; i++) h.observe('k', `m${i}`, 10 + i, t);
    expect(h.max('k', 'm2', t)).toBe(12);
    h.observe('k', 'm3', 50, t);
    expect(h.max('k', 'm0', t)).toBeUndefined();
    expect(h.max('k', 'm3', t)).toBe(50);
  });
});
