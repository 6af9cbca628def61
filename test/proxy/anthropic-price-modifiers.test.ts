import { describe, expect, it } from 'vitest';
import { afterImmediates, bodyText, fixture, jsonAnswer, SECRET } from './fakes.js';

/**
 * An Anthropic request that asks for fast mode or US-only inference reaches the budget gate
 * with what it asks for (RequestInfo.billing, priced in by budget/gate.ts), and the answer's
 * usage.speed and usage.inference_geo are recorded with the call (stored, schema v17).
 */

const PROVIDERS = 'providers:\n  anthropic: { base_url: "http://upstream.invalid", api_key: "sk-ant-upstream" }\n';
const ANSWER = JSON.stringify({
  id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-opus-4-6', content: [{ type: 'text', text: 'Paris.' }], stop_reason: 'end_turn',
  usage: { input_tokens: 12, output_tokens: 3, service_tier: 'standard', inference_geo: 'us', speed: 'fast' },
});

describe('Anthropic price modifiers through the proxy', () => {
  it('the gate gets speed and inference_geo; the record keeps what the answer reported', async () => {
    const f = fixture(() => jsonAnswer(ANSWER), {}, undefined, PROVIDERS);
    const body = new TextEncoder().encode(JSON.stringify({ model: 'claude-opus-4-6', max_tokens: 64, speed: 'fast', inference_geo: 'us', messages: [{ role: 'user', content: 'Capital of France?' }] }));
    const res = await f.handle({
      method: 'POST',
      url: '/proxy/anthropic/v1/messages',
      headers: { 'x-api-key': SECRET, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      readBody: async (limit) => (body.length > limit ? null : body),
      signal: new AbortController().signal,
    });
    expect(res.status).toBe(200);
    await bodyText(res);
    await afterImmediates();
    expect(f.gate.requests[0]).toMatchObject({ provider: 'anthropic', model: 'claude-opus-4-6', billing: { speed: 'fast', inferenceGeo: 'us' } });
    expect(f.records[0]!.usage).toMatchObject({ inputTokens: 12, outputTokens: 3, speed: 'fast', inferenceGeo: 'us' });
  });
});
