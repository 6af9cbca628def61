import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';

/**
 * `serve --help` names the config setting behind every default a flag overrides: a trial
 * read "--port … (default 8787)" while the config's listen.port set another port.
 */

const { cli } = cliFolder('tokometer-serve-help-');

describe('serve --help', () => {
  it('says the config, when it sets one, gives the default of --port, --host, --db and --spill', async () => {
    const res = await cli(['serve', '--help']);
    expect(res.code).toBe(0);
    const help = res.out.replace(/\s+/g, ' ');
    expect(help).toContain('(default: listen.port in the config, else 8787)');
    expect(help).toContain('(default: listen.host in the config, else 127.0.0.1)');
    expect(help).toContain('(default: $TOKOMETER_DB, else db in the config, else ./tokometer.db)');
    expect(help).toContain('(default: store.spill_path in the config, else <db>.spill');
    expect(help).not.toContain('(default 8787)');
  });
});
