import { describe, expect, inject, it } from 'vitest';
import { withDatabase } from '../support/pg.js';
import { cliFolder } from './cli-folder.js';

/**
 * A PostgreSQL URL in $TOKOMETER_DB that names a database the server does not have, or a
 * server that cannot be reached: the messages say the URL came from $TOKOMETER_DB, as the
 * SQLite "no database at …" message does (db-env-missing.test.ts), and never print the
 * password. With the URL in --db the messages are as before.
 */

const { cli } = cliFolder('tokometer-pg-db-env-');
const adminUrl = inject('pgUrl');
const password = () => decodeURIComponent(new URL(adminUrl).password);
const port = () => new URL(adminUrl).port;

const missingFromEnv = () =>
  `tokometer: no database at postgres://postgres@127.0.0.1:${port()}/tk_no_such_database: the server has no database of that name ` +
  '(from $TOKOMETER_DB: create it, e.g. `createdb`, or set $TOKOMETER_DB to the URL `tokometer serve` writes to, or pass --db)\n';
const missingFromFlag = () =>
  `tokometer: no database at postgres://postgres@127.0.0.1:${port()}/tk_no_such_database: the server has no database of that name ` +
  '(create it, e.g. `createdb`, or fix the URL)\n';

describe('$TOKOMETER_DB naming a PostgreSQL database the server does not have', () => {
  const commands = [['report'], ['audit'], ['keys', 'list'], ['prices', 'unpriced']];
  for (const command of commands) {
    it(`${command.join(' ')} exits 2 naming the URL (no password) and $TOKOMETER_DB`, async () => {
      expect(password()).not.toBe('');
      const res = await cli(command, { TOKOMETER_DB: withDatabase(adminUrl, 'tk_no_such_database') });
      expect(res.err).toBe(missingFromEnv());
      expect(res.code).toBe(2);
      expect(res.out).toBe('');
    });
  }

  it('--db wins over $TOKOMETER_DB, and its message is as before', async () => {
    const res = await cli(['report', '--db', withDatabase(adminUrl, 'tk_no_such_database')], { TOKOMETER_DB: withDatabase(adminUrl, 'tk_other') });
    expect(res.err).toBe(missingFromFlag());
    expect(res.code).toBe(2);
  });
});

describe('$TOKOMETER_DB naming a PostgreSQL server that cannot be reached (nothing listens on port 1)', () => {
  const unreachable = 'postgres://meter:s3cret-pw@127.0.0.1:1/calls';

  it('report exits 1 naming the URL without its password, and $TOKOMETER_DB', async () => {
    const res = await cli(['report'], { TOKOMETER_DB: unreachable });
    expect(res.err).toBe('tokometer: PostgreSQL at postgres://meter@127.0.0.1:1/calls (from $TOKOMETER_DB): connect ECONNREFUSED 127.0.0.1:1\n');
    expect(res.code).toBe(1);
  });

  it('with the URL in --db the message names no variable', async () => {
    const res = await cli(['report', '--db', unreachable]);
    expect(res.err).toBe('tokometer: PostgreSQL at postgres://meter@127.0.0.1:1/calls: connect ECONNREFUSED 127.0.0.1:1\n');
    expect(res.code).toBe(1);
  });
});
