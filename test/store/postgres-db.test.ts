import { describe, expect, it } from 'vitest';
import { isPostgresUnavailable, openPostgresDb, PostgresDbError } from '../../src/store/drivers/postgres.js';
import { freePort } from '../support/pg-server.mjs';
import { pgDatabases } from '../support/pg-databases.js';
import { dbSeamCases } from './contract-db.js';

const pg = pgDatabases();
const adminUrl = pg.adminUrl;
const newDb = async () => pg.db('db_seam', { migrate: false });

describe('Db seam contract on PostgreSQL', () => {
  for (const c of dbSeamCases) it(c.name, () => c.run(newDb));
});

describe('PostgreSQL Db', () => {
  it('an unreachable server is a PostgresDbError naming host and port, never the password, and counts as unavailable', async () => {
    const port = await freePort();
    const db = openPostgresDb(`postgres://someone:s3cret-pw@127.0.0.1:${port}/nowhere`, { connectTimeoutS: 2 });
    const err = await db.get('SELECT 1 AS one').then(
      () => undefined,
      (e: unknown) => e,
    );
    await db.close();
    expect(err).toBeInstanceOf(PostgresDbError);
    const message = (err as Error).message;
    expect(message).toContain(`postgres://someone@127.0.0.1:${port}/nowhere`);
    expect(message).not.toContain('s3cret-pw');
    expect(isPostgresUnavailable(err)).toBe(true);
  });

  it('a wrong password is refused with an error that does not repeat it', async () => {
    const url = new URL(adminUrl);
    url.password = 'not-the-password';
    const db = openPostgresDb(url.toString());
    const err = await db.get('SELECT 1 AS one').then(
      () => undefined,
      (e: unknown) => e,
    );
    await db.close();
    expect((err as Error).message).toMatch(/password authentication failed/);
    expect((err as Error).message).not.toContain('not-the-password');
    expect(isPostgresUnavailable(err)).toBe(false);
  });

  it('statements past the statement timeout are cancelled (57014, retryable)', async () => {
    const db = openPostgresDb(adminUrl, { statementTimeoutMs: 100 });
    const started = Date.now();
    const err = await db.get('SELECT pg_sleep(5) AS slept').then(
      () => undefined,
      (e: unknown) => e,
    );
    await db.close();
    expect(Date.now() - started).toBeLessThan(4000);
    expect((err as PostgresDbError).code).toBe('57014');
    expect(isPostgresUnavailable(err)).toBe(true);
  });

  it('the URL query overrides settings: ?statement_timeout= and ?max=', async () => {
    const url = new URL(adminUrl);
    url.searchParams.set('statement_timeout', '1234');
    url.searchParams.set('max', '2');
    const db = openPostgresDb(url.toString());
    expect(await db.get<{ statement_timeout: string }>('SHOW statement_timeout')).toEqual({ statement_timeout: '1234ms' });
    expect(await db.get<{ application_name: string }>('SHOW application_name')).toEqual({ application_name: 'tokometer' });
    expect(db.sql.options.max).toBe(2);
    // Two connections really open: two sessions at once.
    const pids = await Promise.all([0, 1].map(() => db.get<{ pid: number }>("SELECT pg_backend_pid() AS pid, pg_sleep(0.2)")));
    expect(new Set(pids.map((p) => p?.pid)).size).toBe(2);
    await db.close();
  });

  it('sslmode=require asks for TLS (this test server has none, so the connection is refused for that reason)', async () => {
    const url = new URL(adminUrl);
    url.searchParams.set('sslmode', 'require');
    const db = openPostgresDb(url.toString(), { connectTimeoutS: 3 });
    const err = await db.get('SELECT 1 AS one').then(
      () => undefined,
      (e: unknown) => e,
    );
    await db.close();
    expect(err).toBeInstanceOf(PostgresDbError);
    expect((err as Error).message).toMatch(/SSL|TLS/i);
  });

  it('credentials come from PGUSER / PGPASSWORD / PGDATABASE when the URL leaves them out', async () => {
    const full = new URL(adminUrl);
    const saved = { PGUSER: process.env.PGUSER, PGPASSWORD: process.env.PGPASSWORD, PGDATABASE: process.env.PGDATABASE };
    process.env.PGUSER = decodeURIComponent(full.username);
    process.env.PGPASSWORD = decodeURIComponent(full.password);
    process.env.PGDATABASE = 'postgres';
    try {
      const db = openPostgresDb(`postgres://${full.host}`);
      expect(db.location).toBe(`postgres://${decodeURIComponent(full.username)}@${full.host}/postgres`);
      expect(await db.get<{ who: string }>('SELECT current_user AS who')).toEqual({ who: decodeURIComponent(full.username) });
      await db.close();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
