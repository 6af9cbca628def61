import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { configTagKeys, registerTuiCommand, type TuiIo } from '../../src/cli/tui.js';
import { parseConfigText } from '../../src/config/load.js';
import { edgesFor } from '../../src/edges.js';
import { UsageError } from '../../src/lib/errors.js';

/** `tokometer tui` argument handling up to (not including) drawing: every refusal is exit 2 (bad usage, or a missing database as every command names it). */

const ctx: CliContext = { edges: edgesFor('node'), env: {}, cwd: '/nonexistent-dir', clock: () => Date.parse('2026-11-20T12:00:00Z'), out: () => {}, err: () => {}, isTTY: true };
const tty = { stdin: { isTTY: true }, stdout: { isTTY: true } } as unknown as TuiIo;

async function run(args: string[], io: TuiIo = tty, env: CliContext['env'] = {}): Promise<unknown> {
  const program = new Command('tokometer').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerTuiCommand(program, { ...ctx, env }, io);
  try {
    await program.parseAsync(['tui', ...args], { from: 'user' });
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('tokometer tui arguments', () => {
  it('needs a terminal on both stdin and stdout', async () => {
    const err = await run(['--db', '/tmp/x.db'], { stdin: { isTTY: true }, stdout: { isTTY: false } } as unknown as TuiIo);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/needs an interactive terminal .* use `tokometer report`/);
  });

  it('refuses a missing database, a bad --since, --url without a token or with a bad scheme', async () => {
    expect(String(await run(['--db', '/nonexistent-dir/none.db']))).toMatch(/no database at \/nonexistent-dir\/none\.db/);
    expect(String(await run(['--since', 'yesterdayish']))).toMatch(/--since "yesterdayish"/);
    expect(String(await run(['--url', 'http://127.0.0.1:8787']))).toMatch(/--url needs the admin token/);
    expect(String(await run(['--url', 'ftp://x', '--token', 't']))).toMatch(/must start with http/);
    expect(await run(['--url', 'http://x'])).toBeInstanceOf(UsageError);
    expect(await run(['--db', '/nonexistent-dir/none.db'])).toMatchObject({ name: 'DatabaseNotFoundError', exitCode: 2 });
  });

  it("names a missing database in every other command's words, exit 2: --db, $TOKOMETER_DB, or the default ./tokometer.db", async () => {
    // The lines report, audit and keys list print for the same paths (store/open.ts checkDatabasePath).
    const cases: Array<[string[], CliContext['env'], string]> = [
      [['--db', '/nonexistent-dir/none.db'], {}, 'no database at /nonexistent-dir/none.db: the folder /nonexistent-dir does not exist'],
      [[], { TOKOMETER_DB: 'missing.db' }, 'no database at /nonexistent-dir/missing.db: the folder /nonexistent-dir does not exist (from $TOKOMETER_DB: set it to the path `tokometer serve` writes to, or pass --db)'],
      [[], {}, 'no database at /nonexistent-dir/tokometer.db: the folder /nonexistent-dir does not exist (pass --db with the path `tokometer serve` writes to)'],
    ];
    for (const [args, env, message] of cases) {
      const err = await run(args, tty, env);
      expect((err as Error).message).toBe(message);
      expect((err as { exitCode?: number }).exitCode).toBe(2);
    }
  });

  it('offers the usual tag keys and those the config names in --url mode', () => {
    const config = parseConfigText('keys: { a: { tags: { team: x } } }\nbudgets: [{ name: b, match: { plan: free }, per: user_id, limit_usd: 1 }]\n', { file: 't.yaml', env: {} });
    expect(configTagKeys(config).sort()).toEqual(['feature', 'plan', 'team', 'tenant_id', 'user_id', 'user_tier']);
  });
});
