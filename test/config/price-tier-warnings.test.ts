import { describe, expect, it } from 'vitest';
import { configCheck, serveStartWarnings } from './config-cli.js';
import { configDir } from './config-files.js';

/*
 * A `prices:` entry that sets a price the catalog changes above a prompt size (a long-context
 * tier), without a tier of its own, holds its price at every size while the prices it leaves
 * unset take the catalog's long-context ones (docs/prices.md "A `prices:` entry and the
 * catalog"). Found by a trial (trialG): claude-sonnet-4-5 {input 2.7, output 13.5} billed a
 * 210,000-token call $0.4545 where the catalog gives $0.9585, input and output at the entry's
 * flat prices beside the catalog's long-context cache read, and nothing said so. config check
 * (exit 0) and serve's start warn, naming the model, the threshold and the fix.
 */
const SONNET = ['prices:', '  claude-sonnet-4-5: { provider: anthropic, input: 2.7, output: 13.5 }', ''];
const SONNET_WARNING =
  'prices.claude-sonnet-4-5: its input $2.70 and output $13.50 hold at every prompt size, while the catalog prices claude-sonnet-4-5 ' +
  "differently above 200,000 input tokens (input $6.00, output $22.50) and the prices this entry leaves unset take the catalog's there " +
  '(cached_input $0.60, cache_write $7.50, cache_write_1h $12.00); if your prices change above 200,000 input tokens too, add them to the entry: ' +
  'tiers: [{ above_input_tokens: 200000, input: ..., output: ... }]';

describe('a prices: entry without the long-context prices the catalog has for its model', () => {
  it('config check warns (exit 0), naming the model, the threshold, the catalog prices there and how to add them', async () => {
    const { code, out, err } = await configCheck(SONNET);
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('config OK with 1 warning: tokometer.yaml');
    expect(err).toBe(`warning: ${SONNET_WARNING}\n`);
  });

  it('an entry without provider is compared with the catalog entry its name finds; only the prices it sets flat are named', async () => {
    const { code, err } = await configCheck(['prices:', '  gemini-2.5-pro: { input: 1.0 }', '']);
    expect(code).toBe(0);
    expect(err).toBe(
      'warning: prices.gemini-2.5-pro: its input $1.00 holds at every prompt size, while the catalog prices gemini-2.5-pro ' +
        "differently above 200,000 input tokens (input $2.50) and the prices this entry leaves unset take the catalog's there " +
        '(cached_input $0.25, output $15.00); if your prices change above 200,000 input tokens too, add them to the entry: ' +
        'tiers: [{ above_input_tokens: 200000, input: ... }]\n',
    );
  });

  it('says nothing for an entry with tiers, a model the catalog prices flat, or a model it does not know', async () => {
    for (const entry of [
      '  claude-sonnet-4-5: { provider: anthropic, input: 2.7, output: 13.5, tiers: [{ above_input_tokens: 200000, input: 5.4, output: 20.25 }] }',
      '  claude-3-5-haiku-20241022: { provider: anthropic, input: 0.72, output: 3.6 }',
      '  my-weird-model: { input: 1 }',
    ]) {
      const { code, out, err } = await configCheck(['prices:', entry, '']);
      expect({ entry, code, first: out.split('\n')[0], err }).toEqual({ entry, code: 0, first: 'config OK: tokometer.yaml', err: '' });
    }
  });

  it('serve logs the same warning at start', async () => {
    const { code, warnings } = await serveStartWarnings(configDir({ 'tokometer.yaml': SONNET }));
    expect(code).toBe(0);
    expect(warnings).toEqual([SONNET_WARNING]);
  });
});
