import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';

/**
 * `keys create --json` is for scripts that put a new key in a secrets manager: one JSON
 * object, the key as `keys list --json` prints it plus its secret (shown this once), and
 * nothing else on stdout.
 */

const { dir, cli } = cliFolder('tokometer-keys-create-json-');

describe('keys create --json', () => {
  it('prints the key, its secret and what serve enforces as one JSON object', async () => {
    const db = path.join(dir(), 'k.db');
    const config = path.join(dir(), 'tokometer.yaml');
    writeFileSync(config, 'keys:\n  acme: { budget: { limit_usd: 0.01, period: day } }\n');
    const res = await cli(['keys', 'create', 'acme', '--json', '--budget', '2', '--model', 'gpt-4o-mini', '--db', db, '--config', config]);
    expect(res.code).toBe(0);
    const key = JSON.parse(res.out) as Record<string, unknown>;
    expect(key).toEqual({
      name: 'acme',
      prefix: expect.stringMatching(/^mk_/),
      secret: expect.stringMatching(/^mk_/),
      tags: {},
      providers: [],
      models: ['gpt-4o-mini'],
      budget: { limit_usd: 2, period: 'month', alert_at: [0.5, 0.8, 1], soft: false },
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      revoked_at: null,
      enforced: { tags: {}, providers: [], models: ['gpt-4o-mini'], budget: { limit_usd: 0.01, period: 'day', alert_at: [0.5, 0.8, 1], soft: false }, from_config: ['budget'] },
    });
    expect((key.secret as string).startsWith(key.prefix as string)).toBe(true);
    // The secret works: the stored key is the one printed.
    const listed = JSON.parse((await cli(['keys', 'list', '--json', '--db', db, '--config', config])).out) as Array<Record<string, unknown>>;
    expect(listed.map((k) => k.prefix)).toEqual([key.prefix]);
  });
});
