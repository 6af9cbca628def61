import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';

/**
 * `keys list --json` is for scripts: it prints a key as the admin API does (GET /admin/keys,
 * admin/key-ops.ts keyJson), in USD and snake_case with ISO times, never the hash, the
 * internal id or nano-USD field names.
 */

const { dir, cli } = cliFolder('tokometer-keys-json-');


describe('keys list --json', () => {
  it("prints each key in the admin API's format", async () => {
    const db = path.join(dir(), 'k.db');
    expect((await cli(['keys', 'create', 'acme', '--budget', '12.5', '--period', 'week', '--tag', 'tenant_id=t_1', '--model', 'gpt-4o-mini', '--db', db])).code).toBe(0);
    const res = await cli(['keys', 'list', '--json', '--db', db]);
    expect(res.code).toBe(0);
    const [key] = JSON.parse(res.out) as Array<Record<string, unknown>>;
    expect(key).toEqual({
      name: 'acme',
      prefix: expect.stringMatching(/^mk_/),
      tags: { tenant_id: 't_1' },
      providers: [],
      models: ['gpt-4o-mini'],
      budget: { limit_usd: 12.5, period: 'week', alert_at: [0.5, 0.8, 1], soft: false },
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      revoked_at: null,
    });
  });
});
