import { describe, expect, it } from 'vitest';
import { configCheck } from './config-cli.js';

/**
 * config check lists every problem of the file at once (found by a new-user trial: a bad
 * `prices.auto_update` was reported on its own, and the unknown provider and the duplicate
 * budget name beside it only on the next run). The checks across fields (checks.ts) run on
 * the rest of the file when the schema refuses some of it, and say nothing about the entries
 * the schema refused.
 */
describe('config check reports the checks across fields beside the schema problems', () => {
  it('a bad auto_update, an unknown provider in a key and a duplicate budget name, together', async () => {
    const { code, err } = await configCheck([
      'prices:',
      '  auto_update: weekly',
      'keys:',
      '  app: { providers: [opneai] }',
      'budgets:',
      '  - { name: daily, limit_usd: 1 }',
      '  - { name: daily, limit_usd: 2 }',
      '',
    ]);
    expect(code).toBe(2);
    expect(err).toBe(
      [
        'tokometer: tokometer.yaml:2:16: prices.auto_update: expected off or a duration such as 30s, 10m, 24h or 1d',
        'tokometer.yaml:4:22: keys.app.providers[0]: unknown provider "opneai" (not built in and not under providers:)',
        'tokometer.yaml:7:13: budgets[1].name: duplicate budget name "daily" (also budgets[0])',
        '',
      ].join('\n'),
    );
  });

  it('list indexes stay those of the file when an earlier entry is refused', async () => {
    const { err } = await configCheck(['budgets:', '  - { name: a, limit_usd: -1 }', '  - { name: b, limit_usd: 1 }', '  - { name: b, limit_usd: 1 }', '']);
    expect(err).toContain('budgets[0].limit_usd: must be 0 or more (got -1)');
    expect(err).toContain('tokometer.yaml:4:13: budgets[2].name: duplicate budget name "b" (also budgets[1])');
  });

  it('says nothing about names in a refused entry', async () => {
    const { err } = await configCheck(['providers:', '  mine: { base_url: 5 }', 'keys:', '  app: { providers: [mine] }', '']);
    expect(err).toContain('providers.mine.base_url');
    expect(err).not.toContain('unknown provider');
    expect(err.trim().split('\n')).toHaveLength(1);
  });
});
