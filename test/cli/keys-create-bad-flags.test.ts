import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';

/**
 * `keys create` refused for a bad flag (exit 2) leaves no database behind: the flags are
 * checked before the store is opened (opening creates and migrates the file). And
 * `--alert-at ""` is refused, not taken as "the default 0.5,0.8,1".
 */

const { dir, cli } = cliFolder('tokometer-keys-bad-flags-');

const keysJson = async (db: string) => JSON.parse((await cli(['keys', 'list', '--json', '--db', db])).out) as Array<{ name: string; budget: { alert_at: number[] } | null }>;

describe('keys create with a flag it refuses', () => {
  const refused: Array<[string, string[], string]> = [
    ['alert fractions not increasing', ['--budget', '5', '--alert-at', '0.8,0.5,1'], '--alert-at \'0.8,0.5,1\': the fractions must be increasing'],
    ['--alert-at without --budget', ['--alert-at', '0.5'], '--period, --alert-at, --no-soft and --soft need --budget'],
    ['a negative budget', ['--budget', '-5'], "--budget expects a USD amount such as 25 or 12.50 (or \"none\" to remove the cap), got '-5'"],
    ['an empty --alert-at', ['--budget', '5', '--alert-at', ''], '--alert-at is empty'],
    ['alert fractions written in percent', ['--budget', '5', '--alert-at', '80,100'], "--alert-at '80,100': 80 reads as a percentage, but --alert-at takes fractions of the limit: write 0.8 for 80%"],
    ['an empty --alert-at without --budget', ['--alert-at', ''], '--period, --alert-at, --no-soft and --soft need --budget'],
  ];
  for (const [what, flags, message] of refused) {
    it(`${what}: exit 2 with the reason, and no database file at --db`, async () => {
      const db = path.join(dir(), 'keys.db');
      const res = await cli(['keys', 'create', 'x', ...flags, '--db', db]);
      expect(res.code).toBe(2);
      expect(res.err).toContain(message);
      expect(res.out).toBe('');
      expect(existsSync(db)).toBe(false);
    });
  }

  it('keys set --alert-at "" exits 2 and keeps the key\'s thresholds', async () => {
    const db = path.join(dir(), 'keys.db');
    expect((await cli(['keys', 'create', 'x', '--budget', '5', '--alert-at', '0.9', '--db', db])).code).toBe(0);
    const res = await cli(['keys', 'set', 'x', '--alert-at', '', '--db', db]);
    expect(res.code).toBe(2);
    expect(res.err).toContain('--alert-at is empty');
    expect((await keysJson(db))[0]!.budget!.alert_at).toEqual([0.9]);
  });
});
