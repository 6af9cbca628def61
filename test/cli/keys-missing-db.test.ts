import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';

/**
 * `keys revoke` and `keys set` change a key that must already be stored, yet with a mistyped
 * `--db` they created an empty database there and then said "no active key named 'app'", as
 * if the key did not exist: the typo went unnoticed and left a file behind. They now refuse a
 * database that is not there (exit 2, "no database at …") as report does, creating nothing;
 * only `keys create` makes a new database.
 */

const { dir, cli } = cliFolder('tokometer-keys-missing-db-');

describe('keys revoke / set with a --db that does not exist', () => {
  for (const args of [['keys', 'revoke', 'app'], ['keys', 'set', 'app', '--budget', '5', '--period', 'month']]) {
    it(`${args.slice(0, 2).join(' ')} exits 2 naming the path and creates no file`, async () => {
      const typo = path.join(dir(), 'typo.db');
      const r = await cli([...args, '--db', typo]);
      expect(r.err).toBe(`tokometer: no database at ${typo}: the file given to --db does not exist\n`);
      expect(r.code).toBe(2);
      for (const suffix of ['', '-wal', '-shm']) expect(existsSync(typo + suffix)).toBe(false);
    });
  }

  it('keys create still creates the database, and revoke then finds the key there', async () => {
    const db = path.join(dir(), 'new.db');
    expect((await cli(['keys', 'create', 'app', '--db', db])).code).toBe(0);
    const r = await cli(['keys', 'revoke', 'app', '--db', db]);
    expect(r.err).toBe('');
    expect(r.out).toBe("Revoked key 'app'.\n");
  });
});
