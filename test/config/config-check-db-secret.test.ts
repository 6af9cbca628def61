import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerConfigCommand } from '../../src/cli/config.js';
import { configDir } from './config-files.js';

const PG_PASSWORD = 'pg-s3cret-71c2';

async function check(env: Record<string, string | undefined>, cwd: string): Promise<string> {
  let out = '';
  const program = new Command('tokometer').exitOverride();
  registerConfigCommand(program, { cwd, env, out: (t) => (out += t), err: () => {} });
  await program.parseAsync(['config', 'check'], { from: 'user' });
  return out;
}

/**
 * `config check` promises a summary "that never contains a secret". A PostgreSQL
 * database URL (SPEC §12: `db:`, `--db` or TOKOMETER_DB) carries its password; the
 * summary must show where the database is (as serve's log does, lib/db-location.ts)
 * without it.
 */
describe('tokometer config check with a PostgreSQL database', () => {
  it('does not print the database password (TOKOMETER_DB)', async () => {
    const out = await check({ TOKOMETER_DB: `postgres://meter:${PG_PASSWORD}@db.internal:5432/tokometer` }, configDir({}, 'tokometer-cli-'));
    expect(out).toContain('db.internal');
    expect(out).not.toContain(PG_PASSWORD);
  });

  it('does not print the database password (db: in the config)', async () => {
    const cwd = configDir({ 'tokometer.yaml': ['db: "postgresql://meter:${PGPASS}@db.internal/tokometer"'] }, 'tokometer-cli-');
    const out = await check({ PGPASS: PG_PASSWORD }, cwd);
    expect(out).toContain('db.internal');
    expect(out).not.toContain(PG_PASSWORD);
  });
});
