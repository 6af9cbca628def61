import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { report } from './windows-harness.js';
import { windowsDb } from './windows-harness.js';

/** The --compare header writes both windows' ends the same way (clock: 2026-12-07 19:16 UTC). */

const db = windowsDb();
afterAll(() => rmSync(path.dirname(db), { recursive: true, force: true }));
const header = async (args: string[]) => (await report(db, [...args, '--compare', 'previous'])).out.split('\n')[0];

describe('report --compare previous header', () => {
  it('an inclusive --until date: the compared window ends with its inclusive date too', async () => {
    expect(await header(['--since', '2026-11-22', '--until', '2026-12-06'])).toBe(
      'Spend by model · 2026-11-22 → 2026-12-06 (inclusive) (UTC), vs 2026-11-07 → 2026-11-21 (inclusive)',
    );
  });

  it('when the compared window does not end at midnight, both ends are instants', async () => {
    expect(await header(['--since', '2026-11-22T12:00', '--until', '2026-12-06'])).toBe(
      'Spend by model · 2026-11-22 12:00 → 2026-12-07 (UTC), vs 2026-11-08 → 2026-11-22 12:00',
    );
  });
});
