import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';

/**
 * `config check` said `config OK` for `db: /nonexistent/dir/x.db`, and serve then exited 2
 * with `cannot create the database … the folder … does not exist`. config check now runs
 * serve's own check (store/open.ts checkDatabasePath) on a SQLite `db` and fails with serve's
 * words at the file and line of `db`, as other config errors; a PostgreSQL URL is not a file.
 */
const { dir, cli } = cliFolder('tokometer-config-db-');

const writeConfig = (text: string) => writeFileSync(path.join(dir(), 'tokometer.yaml'), text);

describe('config check on a SQLite db serve cannot create', () => {
  it('fails (exit 2) with serve\'s message, at the line of db; serve says it at the same place', async () => {
    writeConfig('timezone: UTC\ndb: /nonexistent/dir/x.db\n');
    const serveSays = 'cannot create the database /nonexistent/dir/x.db: the folder /nonexistent/dir does not exist';
    const expected = { code: 2, out: '', err: `tokometer: tokometer.yaml:2:5: db: ${serveSays}\n` };
    expect(await cli(['serve', '--port', '0'])).toEqual(expected);
    expect(await cli(['config', 'check'])).toEqual(expected);
  });

  it('serve with --db names the flag, not the config line, when the flag names the missing folder', async () => {
    writeConfig('db: ./calls.db\n');
    const serve = await cli(['serve', '--port', '0', '--db', '/nonexistent/dir/x.db']);
    expect(serve.code).toBe(2);
    expect(serve.err).toContain('cannot create the database /nonexistent/dir/x.db: the folder /nonexistent/dir does not exist');
    expect(serve.err).not.toContain('tokometer.yaml');
  });

  it('a relative db is checked where the config file puts it, and a db that is a folder is refused as serve refuses it', async () => {
    mkdirSync(path.join(dir(), 'conf'));
    writeFileSync(path.join(dir(), 'conf', 'prod.yaml'), 'db: data/calls.db\n');
    const missing = path.join(dir(), 'conf', 'data');
    expect(await cli(['config', 'check', '--config', 'conf/prod.yaml'])).toEqual({
      code: 2,
      out: '',
      err: `tokometer: conf/prod.yaml:1:5: db: cannot create the database ${path.join(missing, 'calls.db')}: the folder ${missing} does not exist\n`,
    });
    mkdirSync(path.join(missing, 'calls.db'), { recursive: true });
    const check = await cli(['config', 'check', '--config', 'conf/prod.yaml']);
    expect(check.code).toBe(2);
    expect(check.err).toMatch(/^tokometer: conf\/prod\.yaml:1:5: db: .*calls\.db is a folder, not a database file/);
  });

  it('passes a db in a folder that exists, a PostgreSQL URL, and a db that $TOKOMETER_DB replaces (serve opens that one)', async () => {
    writeConfig('db: ./calls.db\n');
    expect((await cli(['config', 'check'])).code).toBe(0);
    writeConfig('db: postgres://tokometer@127.0.0.1:1/metering\n');
    expect((await cli(['config', 'check'])).code).toBe(0);
    writeConfig('db: /nonexistent/dir/x.db\n');
    expect((await cli(['config', 'check'], { TOKOMETER_DB: path.join(dir(), 'other.db') })).code).toBe(0);
  });
});
