import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reportJson, windowsDb } from './windows-harness.js';

/**
 * --by day / week / month fill the periods without calls by one rule: from the period of the
 * database's first call (or the window's start, if later) to the one holding the window's end,
 * whatever --since (calls: Nov 3 … Dec 5 2026; clock: 2026-12-07 19:16 UTC).
 */

const db = windowsDb();
afterAll(() => rmSync(path.dirname(db), { recursive: true, force: true }));
const labels = async (dim: string, since: string) =>
  ((await reportJson(db, ['--by', dim, '--since', since])).rows as Array<{ group: Record<string, string> }>).map((r) => r.group[dim]);

describe('empty periods of a --by day/week/month report', () => {
  it.each([
    ['day', 35, '2026-11-03', '2026-12-07'],
    ['week', 6, '2026-11-02', '2026-12-07'],
    ['month', 2, '2026-11', '2026-12'],
  ])('--by %s: %i rows from the first call\'s period to now, for a --since years, a year or days before it', async (dim, count, first, last) => {
    for (const since of ['2020-01-01', '2025-12-01', '2026-11-01']) {
      const rows = await labels(dim as string, since);
      expect(rows).toHaveLength(count as number);
      expect([rows[0], rows.at(-1)]).toEqual([first, last]);
    }
  });

  it('a window starting after the first call fills from its own start (quiet days are news there)', async () => {
    const rows = await labels('day', '2026-11-25');
    expect([rows.length, rows[0], rows.at(-1)]).toEqual([13, '2026-11-25', '2026-12-07']);
  });

  it('a window after the first call with no call in it still lists its quiet days (the TUI trend of a quiet filter too)', async () => {
    expect(await labels('day', '2026-12-06')).toEqual(['2026-12-06', '2026-12-07']);
  });
});
