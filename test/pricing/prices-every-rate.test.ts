import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerPricesCommand } from '../../src/cli/prices.js';
import type { CatalogProvider } from '../../src/pricing/catalog-data.js';
import { createPricer, type PricerOptions } from '../../src/pricing/pricer.js';
import { METERED_PRICE_KEYS } from '../../src/pricing/rates.js';
import { usage } from './support.js';

/** `tokometer ARGS` over the pinned catalog (and `options.snapshot`): what it prints. */
async function run(args: string[], options: PricerOptions = {}): Promise<string> {
  let text = '';
  const program = new Command('tokometer').exitOverride();
  const pricer = createPricer({}, options);
  registerPricesCommand(program, { pricer: () => pricer, listUnpricedModels: () => [], out: (s) => (text += s), clock: () => Date.parse('2026-11-27T12:00:00Z'), timeZone: () => 'UTC' });
  await program.parseAsync(args, { from: 'user' });
  return text;
}

/**
 * `prices show` printed the prices of a fixed list of rate fields, and the cached audio
 * price (catalog `cache_audio_read_mtok`) was not among them, though calls are charged at
 * it: a user working from `prices show gemini-2.5-flash` got 505,000 nano for a call
 * recorded at 520,000.
 */
describe('prices show prints every price the pricer can apply', () => {
  it('gemini-2.5-flash: the cached audio price, and the prices shown add up to what a call is charged', async () => {
    const out = await run(['prices', 'show', 'gemini-2.5-flash', '--provider', 'gemini']);
    expect(out).toMatch(/^ {4}input {13}\$0\.30$/m);
    expect(out).toMatch(/^ {4}cached input {6}\$0\.03$/m);
    expect(out).toMatch(/^ {4}audio input {7}\$1\.00$/m);
    expect(out).toMatch(/^ {4}cached audio {6}\$0\.10$/m);
    expect(out).toMatch(/^ {4}output {12}\$2\.50$/m);
    // 400 text + 600 audio prompt tokens, 500 of the audio cached, 100 out:
    // 400 × $0.30 + 100 × $1.00 + 500 × $0.10 + 100 × $2.50 per 1M = 520,000 nano.
    const priced = createPricer().price(usage({ inputTokens: 1000, inputAudioTokens: 600, cacheReadTokens: 500, cacheAudioReadTokens: 500, outputTokens: 100 }), {
      provider: 'gemini',
      model: 'gemini-2.5-flash',
      at: Date.parse('2026-11-27T12:00:00Z'),
    });
    expect(priced).toMatchObject({ priced: true, costNano: 520_000 });
  });

  // One made-up model per price key the pricer meters, priced by that key (at $7.77) beside
  // an input price: a key whose price `prices show` leaves out fails here, so a rate field
  // added later cannot be forgotten.
  const probes: CatalogProvider[] = [
    {
      id: 'openai',
      name: 'OpenAI',
      models: METERED_PRICE_KEYS.map((key) => ({ id: `probe-${key}`, match: { equals: `probe-${key}` }, prices: key === 'input_mtok' ? { input_mtok: 7.77 } : { input_mtok: 1, [key]: 7.77 } })),
    },
  ];
  const snapshot = { id: 1, source: 'snapshot:2026-11-01:00000000' as const, fetchedAt: Date.parse('2026-11-01T00:00:00Z'), sha256: '0'.repeat(64), data: probes };

  it.each([...METERED_PRICE_KEYS])('shows the price of %s', async (key) => {
    const out = await run(['prices', 'show', `probe-${key}`, '--provider', 'openai'], { snapshot });
    expect(out).toMatch(/^ {4}\S.* \$7\.77$/m);
    // Labels are padded to 18 characters: a longer one would run into its price.
    expect(out).toMatch(/^ {4}\S[^$]{0,16} +\$7\.77$/m);
    expect(out).not.toMatch(/not metered/);
  });
});

describe('prices list says which prices only prices show lists', () => {
  it('marks a model with audio prices and says in the key below the table what show adds', async () => {
    const out = await run(['prices', 'list', '--provider', 'gemini']);
    expect(out.split('\n').find((l) => /^gemini\s+gemini-2\.5-flash\s/.test(l))).toMatch(/\+audio$/);
    expect(out.split('\n').find((l) => /^gemini\s+gemini-2\.5-pro\s/.test(l))).not.toMatch(/\+audio/);
    expect(out).toMatch(/^Notes \+audio, \+image, \+reasoning: the model has such prices too \(audio: in, cached, out\)\.\nprices show MODEL lists every price, also cache write \(1h\), web search \/1k, file search \/1k\.$/m);
  });

  it('marks image prices the same way; 1h cache writes and searches, which most rows of a provider share, only in the line under the table', async () => {
    const out = await run(['prices', 'list', '--provider', 'anthropic']);
    expect(out.split('\n').find((l) => /^anthropic\s+claude-sonnet-4-5\s/.test(l))).toMatch(/\$22\.50$/);
    expect(out).toMatch(/^prices show MODEL lists every price, also cache write \(1h\), web search \/1k, file search \/1k\.$/m);
    expect(out).not.toMatch(/^Notes \+/m);
    const openai = await run(['prices', 'list', '--provider', 'openai']);
    expect(openai.split('\n').find((l) => /^openai\s+gpt-image-1\s/.test(l))).toMatch(/\+image/);
  });
});
