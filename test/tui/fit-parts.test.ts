import { describe, expect, it } from 'vitest';
import { shareRow } from '../../src/tui/layout.js';
import { cell, dropByRank, shortenPath, textWidth, type Line } from '../../src/tui/view/text.js';

/**
 * The pieces the dashboard fits narrow terminals with: a path shortened from the left so its
 * file name stays, a line that drops whole parts by rank, and two panels sharing a row by need.
 */

const text = (l: Line) => l.map((c) => c.text).join('');

describe('shortenPath', () => {
  it('keeps as many whole trailing parts as fit, then the file name alone', () => {
    expect(shortenPath('/tmp/tw/demo.db', 15)).toBe('/tmp/tw/demo.db');
    expect(shortenPath('/tmp/tw/demo.db', 14)).toBe('…/tw/demo.db');
    expect(shortenPath('/tmp/tw/demo.db', 11)).toBe('…/demo.db');
    expect(shortenPath('C:\\data\\tw\\demo.db', 11)).toBe('…\\demo.db');
  });

  it('cuts the file name from the right when not even …/name fits, never showing the path\'s start instead', () => {
    expect(shortenPath('/tmp/tw/demo.db', 6)).toBe('demo.…');
    expect(shortenPath('/var/lib/tokometer/a-very-long-database-name.db', 20)).toBe('a-very-long-databas…');
  });

  it('cuts a URL from the right: its scheme and host tell more than its end', () => {
    expect(shortenPath('postgres://app@db.internal:5432/tokometer', 20)).toBe('postgres://app@db.i…');
    expect(textWidth(shortenPath('http://127.0.0.1:8787/admin', 12))).toBe(12);
  });
});

describe('dropByRank', () => {
  const parts = [
    { rank: 0, cells: [cell('Spend $1.34')] },
    { rank: 1, cells: [cell('  398 calls')] },
    { rank: 3, cells: [cell('  33 active users')] },
    { rank: 2, cells: [cell('  projected month $1.38')] },
  ];

  it('drops the highest-ranked parts whole until the line fits, keeping the order', () => {
    expect(text(dropByRank(parts, 100))).toBe('Spend $1.34  398 calls  33 active users  projected month $1.38');
    expect(text(dropByRank(parts, 50))).toBe('Spend $1.34  398 calls  projected month $1.38');
    expect(text(dropByRank(parts, 30))).toBe('Spend $1.34  398 calls');
    // The rank-0 part stays even when it alone is too wide (the dashboard then cuts it).
    expect(text(dropByRank(parts, 5))).toBe('Spend $1.34');
  });
});

describe('shareRow', () => {
  it('gives a side that needs less than half its need and the other side the rest', () => {
    expect(shareRow(120, { need: Infinity }, { need: 24 })).toEqual([94, 24]);
    expect(shareRow(120, { need: 53 }, { need: 65 })).toEqual([53, 65]);
    expect(shareRow(120, { need: 40 }, { need: 50 })).toEqual([54, 64]);
  });

  it('halves the row when neither side needs less than half', () => {
    expect(shareRow(120, { need: 80 }, { need: 70 })).toEqual([59, 59]);
    expect(shareRow(121, { need: Infinity }, { need: Infinity })).toEqual([59, 60]);
  });
});
