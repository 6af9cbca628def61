import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';

/**
 * `$TOKOMETER_DB` naming a file that does not exist (a typo, a stale shell profile):
 * `prices list` / `prices show` printed the pinned catalog with exit 0, as if that database
 * held no newer snapshot, while with the same path in --db they exit 2 "no database at …".
 * The variable now goes through the same check, and every read command's message says
 * the path came from $TOKOMETER_DB (the --db one says the file it names does not exist); reconcile's too.
 */

const { dir, cli } = cliFolder('tokometer-db-env-');

const fromEnv = (file: string) => `tokometer: no database at ${file} (from $TOKOMETER_DB: set it to the path \`tokometer serve\` writes to, or pass --db)\n`;
const fromFlag = (file: string) => `tokometer: no database at ${file}: the file given to --db does not exist\n`;

describe('$TOKOMETER_DB naming a database that does not exist', () => {
  const commands = [['prices', 'list'], ['prices', 'show', 'gpt-4o-mini'], ['prices', 'unpriced'], ['prices', 'history'], ['report'], ['audit'], ['keys', 'list']];
  for (const command of commands) {
    it(`${command.join(' ')} exits 2 naming the path and $TOKOMETER_DB, printing nothing`, async () => {
      const res = await cli(command, { TOKOMETER_DB: 'missing.db' });
      expect(res.err).toBe(fromEnv(path.join(dir(), 'missing.db')));
      expect(res.code).toBe(2);
      expect(res.out).toBe('');
    });
  }

  it('reconcile (with its admin key set) exits 2 naming the path and $TOKOMETER_DB, asking the provider nothing', async () => {
    const res = await cli(['reconcile', '--provider', 'openai'], { TOKOMETER_DB: 'missing.db', OPENAI_ADMIN_KEY: 'sk-admin-test' });
    expect(res.err).toBe(fromEnv(path.join(dir(), 'missing.db')));
    expect(res.code).toBe(2);
    expect(res.out).toBe('');
  });

  it('--db wins over $TOKOMETER_DB, and its message names --db', async () => {
    const res = await cli(['prices', 'list', '--db', 'typo.db'], { TOKOMETER_DB: 'missing.db' });
    expect(res.code).toBe(2);
    expect(res.err).toBe(fromFlag(path.join(dir(), 'typo.db')));
  });

  it('$TOKOMETER_DB naming a database that exists: prices list prints the prices (exit 0)', async () => {
    expect((await cli(['keys', 'create', 'app', '--db', 'calls.db'])).code).toBe(0);
    const res = await cli(['prices', 'list', '--provider', 'openai'], { TOKOMETER_DB: 'calls.db' });
    expect(res.code).toBe(0);
    expect(res.out).toContain('gpt-4o-mini');
  });
});
