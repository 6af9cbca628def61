import { readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor, type Edges } from '../../src/edges.js';
import { startNodeServer } from '../../src/server/node.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations/index.js';
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
    expect(report.err).toBe(`tokometer: no database at ${path.join(dir(), 'new.db')}: the file given to --db does not exist\n`);
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
  return cliWithEdges(args, { openDriver: async () => open }, env);
}

/** runCli in the test folder with the Node edges, `edges` replacing some of them, and `env`. */
async function cliWithEdges(args: string[], edges: Partial<Edges>, env: Record<string, string> = {}): Promise<{ code: number; err: string }> {
  let err = '';
  const ctx: CliContext = {
    edges: { ...edgesFor('node'), ...edges },
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

/** The names of the keys in new.db, as `keys list` shows them. */
async function keyNames(): Promise<string[]> {
  const list = await cli(['keys', 'list', '--db', 'new.db', '--json']);
  expect(list.code).toBe(0);
  return (JSON.parse(list.out) as Array<{ name: string }>).map((k) => k.name);
}

describe('serve that fails before it serves, on the database file it created, which another command wrote to meanwhile', () => {
  it('keys create writes its key while serve starts and exits (its -wal gone once serve closes): the file and the key stay', async () => {
    const port = await takenPort();
    let created: { code: number; err: string } | undefined;
    // serve has opened and migrated new.db; as it begins to listen, `tokometer keys create app --db new.db` runs to its end.
    const keysCreateFirst: Edges['startServer'] = async () => async (options) => {
      created = await cli(['keys', 'create', 'app', '--db', 'new.db']);
      return startNodeServer(options);
    };
    const res = await cliWithEdges(['serve', '--db', 'new.db', '--port', String(port)], { startServer: keysCreateFirst });
    expect(created?.code).toBe(0);
    expect(res.code).toBe(1);
    expect(res.err).toContain('the address is already in use');
    expect(files()).toContain('new.db');
    expect(await keyNames()).toEqual(['app']);
  });

  it('another command creates the file and writes a key between serve noting it missing and opening it: the file and the key stay', async () => {
    const port = await takenPort();
    const otherWroteFirst: OpenDriver = (file, options) => {
      if (!options?.readonly && !files().includes('new.db')) {
        const other = openDriver(file);
        migrate(other, MIGRATIONS);
        other.prepare("INSERT INTO keys (name, prefix, hash, tags, created_at) VALUES ('app', 'mk_aaaa', 'hash-of-app', '{}', 1764547200000)").run();
        other.close();
      }
      return openDriver(file, options);
    };
    const res = await cliWithDriver(['serve', '--db', 'new.db', '--port', String(port)], otherWroteFirst);
    expect(res.code).toBe(1);
    expect(files()).toContain('new.db');
    expect(await keyNames()).toEqual(['app']);
  });

  it('another application makes its database at that path between serve noting it missing and opening it: exit 2 (not a tokometer database), its file stays', async () => {
    const otherAppFirst: OpenDriver = (file, options) => {
      if (!options?.readonly && !files().includes('new.db')) {
        const other = openDriver(file);
        other.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('kept')");
        other.close();
      }
      return openDriver(file, options);
    };
    const res = await cliWithDriver(['serve', '--db', 'new.db', '--port', '0'], otherAppFirst);
    expect(res.code).toBe(2);
    expect(res.err).toContain('is not a tokometer database: it holds other tables (notes)');
    expect(files()).toEqual(['new.db']);
    const kept = openDriver(path.join(dir(), 'new.db'), { readonly: true });
    expect(kept.prepare('SELECT body FROM notes').all()).toEqual([{ body: 'kept' }]);
    kept.close();
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
