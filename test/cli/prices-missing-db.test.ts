import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';

/**
 * `prices list` / `prices show` with a `--db` that does not exist (a typo) printed the
 * pinned catalog with exit 0, as if that database held no newer snapshot; report, audit
 * and keys refuse such a path with exit 2 "no database at …". Without --db, no database
 * is fine: the prices are those of the config and the pinned catalog.
 */

const { dir, cli } = cliFolder('tokometer-prices-db-');


describe('prices list / show --db PATH that does not exist', () => {
  for (const command of [['prices', 'list'], ['prices', 'show', 'gpt-4o-mini']]) {
    it(`${command.join(' ')} exits 2 with the message report gives, printing no prices`, async () => {
      const missing = path.join(dir(), 'typo.db');
      const report = await cli(['report', '--db', missing]);
      expect(report.code).toBe(2);
      expect(report.err).toBe(`tokometer: no database at ${missing}: the file given to --db does not exist\n`);

      const res = await cli([...command, '--db', missing]);
      expect(res.code).toBe(2);
      expect(res.err).toBe(report.err);
      expect(res.out).toBe('');
    });
  }

  it('without --db and no database, prices list and show still print the pinned catalog (exit 0)', async () => {
    const list = await cli(['prices', 'list', '--provider', 'openai']);
    expect(list.code).toBe(0);
    expect(list.out).toContain('gpt-4o-mini');
    const show = await cli(['prices', 'show', 'gpt-4o-mini']);
    expect(show.code).toBe(0);
    expect(show.out).toMatch(/input\s+\$0\.15\n/);
  });
});
