import { writeFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPostgresStore } from '../../src/store/pg/pg-store.js';
import { FakeAdminApi } from '../support/fake-admin-api.js';
import { createTestDatabase, dropTestDatabase, withDatabase } from '../support/pg.js';
import { cliFolder } from './cli-folder.js';

/**
 * `reconcile` on a PostgreSQL URL refused every run with "no database at postgres://user:
 * PASSWORD@…" (exit 2): it tested the URL as a file path, and printed the password that
 * every other command leaves out. And a URL naming a database the server does not have
 * exited 1 from report (PostgreSQL's own "database … does not exist"), where SPEC §12 makes
 * a missing database exit 2, as a missing SQLite file is.
 */

const ADMIN_KEY = 'sk-admin-openai-pgreconcile0123456789';
const { dir, cli } = cliFolder('tokometer-pg-reconcile-');
const adminUrl = inject('pgUrl');
let url: string;
let admin: FakeAdminApi;

beforeAll(async () => {
  url = await createTestDatabase(adminUrl, 'reconcile');
  await (await openPostgresStore(url, 'create')).close();
  // One day of traffic the meter never saw: 12 requests, $0.50.
  admin = await new FakeAdminApi({
    family: 'openai',
    key: ADMIN_KEY,
    usage: [{ day: '2026-11-02', model: 'gpt-4o-2024-08-06', requests: 12, uncached: 100_000, output: 25_000, cost: { input: 0.25, output: 0.25 } }],
  }).start();
});
afterAll(async () => {
  await admin?.stop();
  await dropTestDatabase(adminUrl, url);
});

const password = () => decodeURIComponent(new URL(adminUrl).password);

describe('reconcile and report on PostgreSQL', () => {
  it('reconcile reads the PostgreSQL database, classifies the unmetered day and records its run', async () => {
    expect(password()).not.toBe('');
    writeFileSync(path.join(dir(), 'tokometer.yaml'), `providers:\n  openai: { base_url: "${admin.url}/v1" }\n`);
    const r = await cli(['reconcile', '--provider', 'openai', '--since', '2026-11-01', '--until', '2026-11-03', '--db', url, '--format', 'json'], { OPENAI_ADMIN_KEY: ADMIN_KEY });
    expect(r.err).not.toContain(password());
    expect(r.err).toBe('');
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.out) as { rows: Array<{ day: string; model: string; status: string; unmetered_requests: number }> };
    expect(doc.rows.map((x) => `${x.day} ${x.model} ${x.status} ${x.unmetered_requests}`)).toEqual(['2026-11-02 gpt-4o-2024-08-06 unmetered_traffic 12']);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      expect(await sql`SELECT COUNT(*)::int AS n FROM reconcile_runs`).toEqual([{ n: 1 }]);
    } finally {
      await sql.end();
    }
  });

  it('a database the server does not have is exit 2 for report and reconcile, named without the password', async () => {
    const missing = withDatabase(adminUrl, 'tk_no_such_database');
    const described = /postgres:\/\/postgres@127\.0\.0\.1:\d+\/tk_no_such_database/;
    const report = await cli(['report', '--db', missing]);
    expect(report.code).toBe(2);
    expect(report.err).toMatch(described);
    expect(report.err).not.toContain(password());
    const r = await cli(['reconcile', '--provider', 'openai', '--since', '2026-11-01', '--until', '2026-11-03', '--db', missing], { OPENAI_ADMIN_KEY: ADMIN_KEY });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(described);
    expect(r.err).not.toContain(password());
  });
});
