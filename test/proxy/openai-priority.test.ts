import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { afterImmediates, bodyText, chatCall, fixture, jsonAnswer, sseAnswer, type Fixture } from './fakes.js';

/**
 * OpenAI priority processing through the proxy: an answer that reports
 * `service_tier: "priority"` is billed at the model's priority prices, not its standard ones
 * (openai.com/api-priority-processing, read 2026-12-06; pricing/service-tiers.ts). A model
 * without a known priority price is recorded at its standard price, flagged as a lower bound.
 * Every call: 10,000 input tokens (4,000 cached) and 2,000 output tokens, real catalog.
 */

const USAGE = { prompt_tokens: 10_000, completion_tokens: 2_000, total_tokens: 12_000, prompt_tokens_details: { cached_tokens: 4_000 } };

/** A proxy on the real catalog prices, answering with `answer`. */
function catalogFixture(answer: Parameters<typeof fixture>[0]): Fixture {
  const f = fixture(answer);
  const catalog = createPricer();
  f.pricer.price = (usage, ctx) => catalog.price(usage, ctx);
  return f;
}

/** A whole Chat Completions answer of `model` served on `tier`. */
function chatAnswer(model: string, tier: string): string {
  return JSON.stringify({
    id: 'chatcmpl-1', object: 'chat.completion', created: 1_767_225_600, model, service_tier: tier,
    choices: [{ index: 0, message: { role: 'assistant', content: 'Paris.' }, finish_reason: 'stop' }],
    usage: USAGE,
  });
}

/** A streamed Chat Completions answer of `model` served on `tier`, usage in its last chunk. */
function chatStream(model: string, tier: string): string[] {
  const chunk = (rest: object) => `data: ${JSON.stringify({ id: 'chatcmpl-2', object: 'chat.completion.chunk', created: 1_767_225_600, model, service_tier: tier, ...rest })}\n\n`;
  return [
    chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Paris' }, finish_reason: null }], usage: null }),
    chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null }),
    chunk({ choices: [], usage: USAGE }),
    'data: [DONE]\n\n',
  ];
}

describe('OpenAI priority processing through the proxy', () => {
  // gpt-4o priority: $4.25 input, $2.125 cached input, $17 output per 1M = 4,250 / 2,125 / 17,000 nano per token.
  //   6,000 × 4,250 + 4,000 × 2,125 + 2,000 × 17,000 = 25,500,000 + 8,500,000 + 34,000,000 = 68,000,000.
  // Standard ($2.50 / $1.25 / $10): 15,000,000 + 5,000,000 + 20,000,000 = 40,000,000, what was recorded before.
  it('a gpt-4o answer served on priority is recorded and settled at 68,000,000 nano-USD, not the standard 40,000,000', async () => {
    const answer = chatAnswer('gpt-4o-2024-08-06', 'priority');
    const f = catalogFixture(() => jsonAnswer(answer));
    const res = await f.handle(chatCall({ model: 'gpt-4o', service_tier: 'priority', messages: [{ role: 'user', content: 'Capital of France?' }] }));
    expect(await bodyText(res)).toBe(answer);
    await afterImmediates();
    const [record] = f.records;
    expect(record).toMatchObject({ model: 'gpt-4o-2024-08-06', costNano: 68_000_000, error: null });
    expect(record!.usage?.serviceTier).toBe('priority');
    expect(f.gate.settled.map(([, nano]) => nano)).toEqual([68_000_000]);
  });

  // gpt-5.4 priority: $5 / $0.50 / $30 per 1M = 5,000 / 500 / 30,000 nano per token.
  //   6,000 × 5,000 + 4,000 × 500 + 2,000 × 30,000 = 30,000,000 + 2,000,000 + 60,000,000 = 92,000,000.
  // Standard ($2.50 / $0.25 / $15): 15,000,000 + 1,000,000 + 30,000,000 = 46,000,000.
  it('a streamed gpt-5.4 answer served on priority is recorded at 92,000,000 nano-USD, not the standard 46,000,000', async () => {
    const f = catalogFixture((req) => sseAnswer(req, chatStream('gpt-5.4-2026-03-05', 'priority')));
    const res = await f.handle(chatCall({ model: 'gpt-5.4', stream: true, stream_options: { include_usage: true }, service_tier: 'priority', messages: [{ role: 'user', content: 'Capital of France?' }] }));
    await bodyText(res);
    await afterImmediates();
    const [record] = f.records;
    expect(record).toMatchObject({ model: 'gpt-5.4-2026-03-05', streamed: true, costNano: 92_000_000, error: null });
    expect(f.gate.settled.map(([, nano]) => nano)).toEqual([92_000_000]);
  });

  it('the same gpt-4o answer served on the default tier stays at the standard 40,000,000', async () => {
    const f = catalogFixture(() => jsonAnswer(chatAnswer('gpt-4o-2024-08-06', 'default')));
    await bodyText(await f.handle(chatCall({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Capital of France?' }] })));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ costNano: 40_000_000, error: null });
  });

  // gpt-5.6-sol has no published priority price: its standard price at the call's date
  // ($4 / $0.40 / $20 per 1M, the catalog's price from 2026-08-21):
  //   6,000 × 4,000 + 4,000 × 400 + 2,000 × 20,000 = 24,000,000 + 1,600,000 + 40,000,000 = 65,600,000, a lower bound.
  it('a model without a known priority price is recorded at its standard 65,600,000 with a note saying it is a lower bound', async () => {
    const answer = chatAnswer('gpt-5.6-sol', 'priority');
    const f = catalogFixture(() => jsonAnswer(answer));
    await bodyText(await f.handle(chatCall({ model: 'gpt-5.6-sol', service_tier: 'priority', messages: [{ role: 'user', content: 'Capital of France?' }] })));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({
      model: 'gpt-5.6-sol',
      costNano: 65_600_000,
      error: 'priority tier price unknown for gpt-5.6-sol; priced at the standard rate (a lower bound)',
    });
    expect(f.gate.settled.map(([, nano]) => nano)).toEqual([65_600_000]);
  });
});
