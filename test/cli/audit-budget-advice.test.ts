import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';

/**
 * `tokometer audit` tells how to raise a key's cap as that key's cap is set: a budget given
 * by `keys create --budget` is raised with `keys set`, one the config declares in the config.
 * A cap of $0 is reached at once, so each key gets its notice without any call.
 */

const { dir, cli } = cliFolder('tokometer-audit-advice-');

type Json = { findings: Array<{ title: string; fix: string }> };

describe('audit advice on a key budget', () => {
  it('names keys set for a stored key budget and keys.NAME.budget.limit_usd for a declared one', async () => {
    const db = path.join(dir(), 'a.db');
    const config = path.join(dir(), 'tokometer.yaml');
    writeFileSync(config, 'keys:\n  declared:\n    budget: { limit_usd: 0 }\n');
    expect((await cli(['keys', 'create', 'stored', '--budget', '0', '--db', db, '--config', config])).code).toBe(0);
    expect((await cli(['keys', 'create', 'declared', '--db', db, '--config', config])).code).toBe(0);
    const res = await cli(['audit', '--json', '--db', db, '--config', config]);
    expect(res.code).toBe(0);
    const fixes = Object.fromEntries((JSON.parse(res.out) as Json).findings.map((f) => [f.title.split(':')[0], f.fix]));
    expect(fixes['key stored']).toContain('If this spend is expected, raise the cap with `tokometer keys set stored --budget USD`; otherwise cut the spend.');
    expect(fixes['key declared']).toContain('If this spend is expected, raise keys.declared.budget.limit_usd in the config and restart serve; otherwise cut the spend.');
  });
});
