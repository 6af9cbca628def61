import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { afterImmediates, bodyText, fixture, jsonAnswer, SECRET } from './fakes.js';

/**
 * An Anthropic call that consulted the advisor tool, through the proxy: the record keeps the
 * executor's model and counts, carries the advisor's counts apart (usage.advisors, stored as
 * calls.advisor_usage) and costs both, each at its own model's price (the real catalog).
 */

const PROVIDERS = 'providers:\n  anthropic: { base_url: "http://upstream.invalid", api_key: "sk-ant-upstream" }\n';
const ANSWER = JSON.stringify({
  id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [{ type: 'text', text: 'Done.' }], stop_reason: 'end_turn',
  usage: {
    input_tokens: 10000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 2000, service_tier: 'standard',
    iterations: [
      { type: 'message', input_tokens: 6000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1200 },
      { type: 'advisor_message', model: 'claude-opus-4-6', input_tokens: 9000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1500 },
      { type: 'message', input_tokens: 4000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 800 },
    ],
  },
});

/** The answer with its advisor iteration on `model`. */
const answerWithAdvisor = (model: string) => ANSWER.replace('"model":"claude-opus-4-6"', `"model":"${model}"`);

describe('Anthropic advisor tool through the proxy', () => {
  it('records the executor\'s counts, the advisor\'s apart, and both costs: 60,000,000 + 82,500,000 = 142,500,000 nano-USD', async () => {
    const f = fixture(() => jsonAnswer(ANSWER), {}, undefined, PROVIDERS);
    const catalog = createPricer();
    f.pricer.price = (usage, ctx) => catalog.price(usage, ctx);
    const tools = [{ type: 'advisor_20260301', name: 'advisor', model: 'claude-opus-4-6' }];
    const body = new TextEncoder().encode(JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 4096, tools, messages: [{ role: 'user', content: 'Plan the refactor.' }] }));
    const res = await f.handle({
      method: 'POST',
      url: '/proxy/anthropic/v1/messages',
      headers: { 'x-api-key': SECRET, 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'advisor-tool-2026-03-01' },
      readBody: async (limit) => (body.length > limit ? null : body),
      signal: new AbortController().signal,
    });
    expect(res.status).toBe(200);
    expect(await bodyText(res)).toBe(ANSWER);
    await afterImmediates();
    const [record] = f.records;
    expect(record).toMatchObject({ model: 'claude-sonnet-4-6', costNano: 142_500_000 });
    expect(record!.usage).toMatchObject({
      inputTokens: 10_000,
      outputTokens: 2_000,
      advisors: [{ model: 'claude-opus-4-6', inputTokens: 9_000, outputTokens: 1_500, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 }],
    });
  });

  it('an advisor model without a price: the call is recorded and settled at the executor\'s 60,000,000 (a lower bound), with a note naming the model', async () => {
    const answer = answerWithAdvisor('claude-nonexistent-9');
    const f = fixture(() => jsonAnswer(answer), {}, undefined, PROVIDERS);
    const catalog = createPricer();
    f.pricer.price = (usage, ctx) => catalog.price(usage, ctx);
    const body = new TextEncoder().encode(JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 4096, messages: [{ role: 'user', content: 'Plan the refactor.' }] }));
    const res = await f.handle({
      method: 'POST',
      url: '/proxy/anthropic/v1/messages',
      headers: { 'x-api-key': SECRET, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      readBody: async (limit) => (body.length > limit ? null : body),
      signal: new AbortController().signal,
    });
    expect(await bodyText(res)).toBe(answer);
    await afterImmediates();
    const [record] = f.records;
    expect(record).toMatchObject({ model: 'claude-sonnet-4-6', costNano: 60_000_000, error: "advisor model 'claude-nonexistent-9' is unpriced (no known price for model 'claude-nonexistent-9' at provider 'anthropic'; add one under 'prices:' in the config): its 9000 input and 1500 output tokens are not in the cost" });
    // Before, the whole call was unpriced and settled $0 against budgets.
    expect(f.gate.settled.map(([, nano]) => nano)).toEqual([60_000_000]);
  });
});
