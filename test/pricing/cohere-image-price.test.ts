import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerPricesCommand } from '../../src/cli/prices.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { createCohereAdapter } from '../../src/providers/cohere.js';

/**
 * Cohere bills Embed 4 image tokens (`meta.billed_units.image_tokens`) at $0.47 per 1M and
 * text at $0.12 (cohere.com/pricing); the catalog (genai-prices 0.1.8) has the text price
 * alone, and tokometer priced image tokens at it with no word: an image embed cost about a
 * quarter of its bill.
 */
describe('Cohere embed-v4.0 image tokens at their own price', () => {
  const adapter = createCohereAdapter();
  const body = { model: 'embed-v4.0', input_type: 'image', embedding_types: ['float'], inputs: [{ content: [{ type: 'text', text: 'a cat' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }] };
  const answer = { id: 'e1', embeddings: { float: [[0.1]] }, meta: { api_version: { version: '2' }, billed_units: { input_tokens: 1000, image_tokens: 2000 } }, response_type: 'embeddings_by_type' };
  const at = Date.parse('2026-11-27T12:00:00Z');

  it('prices 1,000 text tokens at $0.12 and 2,000 image tokens at $0.47 per 1M: 1,060,000 nano', () => {
    const usage = adapter.usageFromJson(adapter.describe('POST', '/v2/embed', body), answer).usage!;
    expect(usage).toMatchObject({ inputTokens: 3000, inputImageTokens: 2000 });
    expect(createPricer().price(usage, { provider: 'cohere', model: 'embed-v4.0', at })).toMatchObject({ priced: true, costNano: 1_060_000, source: 'override' });
  });

  it('prices show embed-v4.0 names the image price and that it is tokometer\'s override', async () => {
    let text = '';
    const program = new Command('tokometer').exitOverride();
    const pricer = createPricer();
    registerPricesCommand(program, { pricer: () => pricer, listUnpricedModels: () => [], out: (s) => (text += s), clock: () => at, timeZone: () => 'UTC' });
    await program.parseAsync(['prices', 'show', 'embed-v4.0', '--provider', 'cohere'], { from: 'user' });
    expect(text).toMatch(/^ {2}source {12}override$/m);
    expect(text).toMatch(/^ {4}input {13}\$0\.12$/m);
    expect(text).toMatch(/^ {4}image input {7}\$0\.47$/m);
  });
});
