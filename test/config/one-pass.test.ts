import { describe, expect, it } from 'vitest';
import { cliFolder } from '../cli/cli-folder.js';
import { configCheck } from './config-cli.js';

/**
 * `config check` reports every mistake of a file in one run (found by a new-user trial: a
 * file with about 11 mistakes needed 3 runs: the schema's problems first, then a duplicate
 * budget name whose entries the schema had refused, then a `db` in a missing folder), and
 * warns in the same run about what it accepts but looks wrong.
 */
describe('config check lists the mistakes of every stage in one run', () => {
  it('schema problems, a duplicate name in refused budgets, a db in a missing folder and the warnings, together', async () => {
    const { code, out, err } = await configCheck([
      'db: ./nodir/tok.db',
      'budgets:',
      '  - { name: free, limit_usd: -5 }',
      '  - { name: free, limit_usd: "ten", mtach: { a: b } }',
      'listen: { port: 99999 }',
      'prices:',
      '  gpt4o-mini: { input: 0.15, output: 0.6 }',
      '',
    ]);
    expect(code).toBe(2);
    expect(out).toBe('');
    const lines = err.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^tokometer: tokometer\.yaml:1:5: db: cannot create the database .*tok\.db: the folder .*nodir does not exist$/);
    expect(lines.slice(1, 6)).toEqual([
      'tokometer.yaml:3:30: budgets[0].limit_usd: must be 0 or more (got -5)',
      'tokometer.yaml:4:13: budgets[1].name: duplicate budget name "free" (also budgets[0])',
      'tokometer.yaml:4:30: budgets[1].limit_usd: must be a number, not the string "ten"',
      'tokometer.yaml:4:37: budgets[1].mtach: unknown key "mtach"; did you mean "match"? (allowed: name, match, per, limit_usd, period, alert_at, soft)',
      'tokometer.yaml:5:17: listen.port: must be at most 65535 (got 99999)',
    ]);
    expect(lines.slice(6)).toEqual([expect.stringMatching(/^warning: prices\.gpt4o-mini: the catalog has no model gpt4o-mini; did you mean gpt-4o-mini\?/)]);
  });

  it('a custom provider whose name is one letter off a built-in one gets a did-you-mean', async () => {
    const withUrl = await configCheck(['providers:', '  opneai: { base_url: "http://127.0.0.1:23001" }', '']);
    expect(withUrl.code).toBe(0);
    expect(withUrl.err).toBe(
      'warning: providers.opneai: not a built-in provider; did you mean "openai"? ' +
        'As written it is a custom provider of kind openai-compatible at http://127.0.0.1:23001, reached at /proxy/opneai\n',
    );
    const withoutUrl = await configCheck(['providers:', '  opneai: { api_key: sk-test }', '']);
    expect(withoutUrl.code).toBe(2);
    expect(withoutUrl.err).toBe(
      'tokometer: tokometer.yaml:2:3: providers.opneai.base_url: required: "opneai" is not a built-in provider; did you mean "openai"? ' +
        'Otherwise an openai-compatible provider needs a base_url\n',
    );
  });

  it('an alert_at fraction over 1 on a budget that refuses calls at its limit is warned about', async () => {
    const { code, err } = await configCheck([
      'keys:',
      '  app: { budget: { limit_usd: 5, alert_at: [0.5, 1.5] } }',
      'budgets:',
      '  - { name: free, limit_usd: 1, alert_at: [1.5] }',
      '  - { name: soft, limit_usd: 1, soft: true, alert_at: [1.5] }',
      '',
    ]);
    expect(code).toBe(0);
    const why = 'this budget refuses calls once its spend reaches the limit, so the spend never gets there and the alert never fires; write 1 for an alert at 100%, or set soft: true to alert past the limit without refusing';
    expect(err).toBe(
      `warning: keys.app.budget.alert_at[1]: 1.5 is 150% of the limit: ${why}\n` + `warning: budgets[0].alert_at[0]: 1.5 is 150% of the limit: ${why}\n`,
    );
  });
});

describe('prices show suggests the catalog model one edit away', () => {
  const { cli } = cliFolder('tokometer-prices-typo-');
  it('gpt4o: did you mean gpt-4o?', async () => {
    const res = await cli(['prices', 'show', 'gpt4o']);
    expect(res.code).toBe(2);
    expect(res.err).toBe("tokometer: unknown model 'gpt4o': no price in the catalog, tokometer's overrides or the config; did you mean gpt-4o? (or add a price under 'prices:')\n");
  });
});
