import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerPricesCommand } from '../../src/cli/prices.js';
import { createPricer } from '../../src/pricing/pricer.js';
import type { ConfiguredPrice } from '../../src/pricing/types.js';

/*
 * `prices show` of a `prices:` entry for a model whose catalog prices have a long-context tier
 * says which prices apply above the threshold: the entry's own (marked when it holds them at
 * every size, with the catalog's price there) beside the catalog's for what it leaves unset
 * (docs/prices.md "A `prices:` entry and the catalog"). Before, the entry's flat input read
 * "input $2.70 (config)" above 200,000 with nothing to say that the catalog's is $6.00.
 * Catalog (genai-prices@0.1.8) claude-sonnet-4-5 above 200,000: input $6.00, cache read $0.60,
 * 5-minute write $7.50, 1-hour write $12.00, output $22.50, web search $10 per 1,000.
 */
async function show(prices: Record<string, ConfiguredPrice>): Promise<string[]> {
  let text = '';
  const program = new Command('tokometer').exitOverride();
  const pricer = createPricer(prices);
  registerPricesCommand(program, { pricer: () => pricer, listUnpricedModels: () => [], out: (s) => (text += s), clock: () => Date.now(), timeZone: () => 'UTC' });
  await program.parseAsync(['prices', 'show', 'claude-sonnet-4-5', '--provider', 'anthropic', '--at', '2026-11-27'], { from: 'user' });
  const lines = text.trimEnd().split('\n');
  return lines.slice(lines.findIndex((l) => l.startsWith('  above ')));
}

describe('prices show: an entry and the catalog long-context tier', () => {
  it('an entry without tiers: its input and output hold at every size, said on their lines with the catalog price above 200,000', async () => {
    expect(await show({ 'claude-sonnet-4-5': { provider: 'anthropic', input: 2.7, output: 13.5 } })).toEqual([
      '  above 200,000 input tokens (applies to the whole call):',
      "    input             $2.70  (config, at every size: the entry gives no price above 200,000; the catalog's is $6.00)",
      '    cached input      $0.60  (catalog genai-prices@0.1.8)',
      '    cache write (5m)  $7.50  (catalog genai-prices@0.1.8)',
      '    cache write (1h)  $12.00  (catalog genai-prices@0.1.8)',
      "    output            $13.50  (config, at every size: the entry gives no price above 200,000; the catalog's is $22.50)",
      '    web search /1k    $10.00  (catalog genai-prices@0.1.8)',
    ]);
  });

  it('an entry with tiers: its long-context prices, marked config', async () => {
    const tiers = [{ above_input_tokens: 200_000, input: 5.4, output: 20.25 }];
    expect(await show({ 'claude-sonnet-4-5': { provider: 'anthropic', input: 2.7, output: 13.5, tiers } })).toEqual([
      '  above 200,000 input tokens (applies to the whole call):',
      '    input             $5.40  (config)',
      '    cached input      $0.60  (catalog genai-prices@0.1.8)',
      '    cache write (5m)  $7.50  (catalog genai-prices@0.1.8)',
      '    cache write (1h)  $12.00  (catalog genai-prices@0.1.8)',
      '    output            $20.25  (config)',
      '    web search /1k    $10.00  (catalog genai-prices@0.1.8)',
    ]);
  });
});
