import { readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor } from '../../src/edges.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import type { OpenDriver, SqlDriver } from '../../src/store/types.js';
import { cliFolder } from './cli-folder.js';

/**
 * A `serve` that fails before it serves (port taken, a telemetry or TLS setting it cannot
 * use, the config's keys not written) left the SQLite file it had just created behind,
 * empty and migrated (with its -wal and -shm): a later `report --db` on a mistyped path
 * then said "no calls" instead of "no database at …". Files that were there before are
 * never removed.
 */

const { dir, cli } = cliFolder('tokometer-serve-failed-');

let held: Server | undefined;
afterEach(() => {
  held?.close();
  held = undefined;
});

/** A port another process listens on (127.0.0.1). */
async function takenPort(): Promise<number> {
  held = createServer();
  await new Promise<void>((resolve) => held!.listen(0, '127.0.0.1', resolve));
  return (held.address() as { port: number }).port;
}

const files = () => readdirSync(dir()).sort();

describe('serve that fails before it serves, on a database file it created', () => {
  it('port in use: exit 1 naming the port, and no new.db, new.db-wal or new.db-shm left; report then says there is no database', async () => {
    const port = await takenPort();
    const res = await cli(['serve', '--db', 'new.db', '--port', String(port)]);
    expect(res.code).toBe(1);
    expect(res.err).toContain(`--port ${port} (on listen.host "127.0.0.1"): the address is already in use`);
    expect(files()).toEqual([]);
    const report = await cli(['report', '--db', 'new.db']);
    expect(report.code).toBe(2);
    expect(report.err).toBe(`tokometer: no database at ${path.join(dir(), 'new.db')} (pass --db with the path \`tokometer serve\` writes to)\n`);
  });

  it('a telemetry variable it cannot use (read after the database is open): exit 2, no database files left', async () => {
    const res = await cli(['serve', '--db', 'new.db', '--port', '0'], { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' });
    expect(res.code).toBe(2);
    expect(res.err).toContain("OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' is not a URL");
    expect(files()).toEqual([]);
  });

  it('a tls.cert it cannot read (read when it starts listening): exit 2, only the config left', async () => {
    writeFileSync(path.join(dir(), 'tokometer.yaml'), 'tls: { cert: ./nope.pem, key: ./nope.pem }\n');
    const res = await cli(['serve', '--db', 'new.db', '--port', '0']);
    expect(res.code).toBe(2);
    expect(res.err).toContain('tls.cert: cannot read');
    expect(files()).toEqual(['tokometer.yaml']);
  });

  it('the config keys cannot be written (key sync fails): exit 1 with the database error, only the config left', async () => {
    writeFileSync(path.join(dir(), 'tokometer.yaml'), 'keys:\n  app:\n    secret_env: APP_KEY\n');
    const failingKeyInserts: OpenDriver = (file, options) => {
      const driver = openDriver(file, options);
      return {
        name: driver.name,
        exec: (sql) => driver.exec(sql),
        prepare: (sql) => {
          if (/^\s*INSERT INTO keys\b/i.test(sql)) throw new Error('disk I/O error');
          return driver.prepare(sql);
        },
        transaction: (fn) => driver.transaction(fn),
        close: () => driver.close(),
      };
    };
    const { code, err } = await cliWithDriver(['serve', '--db', 'new.db', '--port', '0'], failingKeyInserts, { APP_KEY: `mk_${'a'.repeat(32)}` });
    expect(err).toContain('disk I/O error');
    expect(code).toBe(1);
    expect(files()).toEqual(['tokometer.yaml']);
  });
});

/** runCli in the test folder with the Node edges, `openDriver` for the SQLite driver, and `env`. */
async function cliWithDriver(args: string[], open: OpenDriver, env: Record<string, string> = {}): Promise<{ code: number; err: string }> {
  let err = '';
  const ctx: CliContext = {
    edges: { ...edgesFor('node'), openDriver: async () => open },
    env,
    cwd: dir(),
    clock: () => Date.parse('2026-12-01T00:00:00Z'),
    out: () => undefined,
    err: (t) => void (err += t),
    isTTY: false,
  };
  return { code: await runCli(args, ctx), err };
}

describe('serve that fails before it serves, on a database another process opened meanwhile', () => {
  it('a second serve started at the same moment that has the new file open keeps it (its -wal is still there): nothing removed', async () => {
    const port = await takenPort();
    let other: SqlDriver | undefined;
    const alongsideAnother: OpenDriver = (file, options) => {
      const driver = openDriver(file, options);
      // The other serve opens the file just after this one created it, and stays.
      other ??= openDriver(file);
      return driver;
    };
    try {
      const res = await cliWithDriver(['serve', '--db', 'new.db', '--port', String(port)], alongsideAnother);
      expect(res.code).toBe(1);
      expect(files()).toEqual(['new.db', 'new.db-shm', 'new.db-wal']);
    } finally {
      other?.close();
    }
  });
});

describe('serve that fails before it serves, on a database that was there', () => {
  it('port in use: the database and its keys stay', async () => {
    expect((await cli(['keys', 'create', 'app', '--db', 'calls.db'])).code).toBe(0);
    const port = await takenPort();
    expect((await cli(['serve', '--db', 'calls.db', '--port', String(port)])).code).toBe(1);
    expect(files()).toContain('calls.db');
    const list = await cli(['keys', 'list', '--db', 'calls.db', '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.out) as Array<{ name: string }>).map((k) => k.name)).toEqual(['app']);
  });

  it('an empty file the user made (touch new.db) is left in place', async () => {
    writeFileSync(path.join(dir(), 'new.db'), '');
    const port = await takenPort();
    expect((await cli(['serve', '--db', 'new.db', '--port', String(port)])).code).toBe(1);
    expect(files()).toContain('new.db');
  });
});
