import { writeFileSync } from 'node:fs';
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
      // What serve enforces: the stored key merged with its declaration in the config (none here).
      enforced: { tags: { tenant_id: 't_1' }, providers: [], models: ['gpt-4o-mini'], budget: { limit_usd: 12.5, period: 'week', alert_at: [0.5, 0.8, 1], soft: false }, from_config: [] },
      // The stored calls' spend in the enforced budget's current week (Monday 2026-11-30 for the CLI's clock): none yet.
      spend: { period: 'week', period_start: '2026-11-30T00:00:00.000Z', spent_usd: 0, limit_usd: 12.5, fraction: 0, blocked: false },
    });
  });

  // A trial: after `keys set summarizer --budget 5`, `keys list` showed $5.00/month while serve
  // kept refusing at the config's $0.002/day; a key whose budget came only from the config showed none.
  it('shows the budget and tags serve enforces when the config declares them, and marks them', async () => {
    const db = path.join(dir(), 'k.db');
    const config = path.join(dir(), 'tokometer.yaml');
    writeFileSync(config, 'keys:\n  summarizer: { budget: { limit_usd: 0.002, period: day }, tags: { feature: summarizer } }\n');
    expect((await cli(['keys', 'create', 'summarizer', '--budget', '5', '--db', db, '--config', config])).code).toBe(0);
    expect((await cli(['keys', 'create', 'plain', '--db', db, '--config', config])).code).toBe(0);
    const table = await cli(['keys', 'list', '--db', db, '--config', config]);
    expect(table.code).toBe(0);
    const row = table.out.split('\n').find((line) => line.startsWith('summarizer'))!;
    expect(row).toContain('$0.002/day (config)');
    expect(row).not.toContain('$5.00');
    expect(row).toContain('feature=summarizer (config)');
    expect(table.out.split('\n').find((line) => line.startsWith('plain'))).not.toContain('(config)');
    expect(table.out).toContain('(config): set by keys.NAME in the config, which wins over the stored value');
    const json = JSON.parse((await cli(['keys', 'list', '--json', '--db', db, '--config', config])).out) as Array<Record<string, unknown>>;
    const summarizer = json.find((k) => k.name === 'summarizer')!;
    // The stored key as the admin API shows it, and what serve enforces beside it.
    expect(summarizer.budget).toEqual({ limit_usd: 5, period: 'month', alert_at: [0.5, 0.8, 1], soft: false });
    expect(summarizer.enforced).toEqual({ tags: { feature: 'summarizer' }, providers: [], models: [], budget: { limit_usd: 0.002, period: 'day', alert_at: [0.5, 0.8, 1], soft: false }, from_config: ['budget', 'tags'] });
  });
});
