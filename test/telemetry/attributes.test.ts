import { describe, expect, it } from 'vitest';
import { errorType, metricAttributes, operationName, providerName, serverAddresses, spanAttributes, spanName } from '../../src/telemetry/attributes.js';
import { isUnpriced } from '../../src/store/unpriced.js';
import { finishedCall } from './helpers.js';

describe('GenAI names', () => {
  it('maps stored endpoints to gen_ai.operation.name and keeps unknown ones', () => {
    expect(['chat.completions', 'responses', 'messages', 'chat', 'generateContent', 'embeddings', 'embed', 'embedContent', 'batchEmbedContents', 'completions', 'fim.completions', 'other', 'messages.count_tokens'].map(operationName)).toEqual([
      'chat',
      'chat',
      'chat',
      'chat',
      'generate_content',
      'embeddings',
      'embeddings',
      'embeddings',
      'embeddings',
      'text_completion',
      'text_completion',
      'other',
      'messages.count_tokens',
    ]);
  });

  it('uses the well-known gen_ai.provider.name values and keeps configured names', () => {
    expect(['openai', 'anthropic', 'gemini', 'mistral', 'cohere', 'groq', 'deepseek', 'xai', 'azure-eu'].map(providerName)).toEqual(['openai', 'anthropic', 'gcp.gemini', 'mistral_ai', 'cohere', 'groq', 'deepseek', 'x_ai', 'azure-eu']);
  });

  it('names the span `{operation} {model}`, or the operation alone without a model', () => {
    expect(spanName(finishedCall({ endpoint: 'embeddings', modelRequested: 'text-embedding-3-small' }))).toBe('embeddings text-embedding-3-small');
    expect(spanName(finishedCall({ endpoint: 'other', modelRequested: null }))).toBe('other');
  });

  it('reads server address and port from base URLs', () => {
    const servers = serverAddresses([
      ['openai', 'https://api.openai.com/v1'],
      ['local', 'http://127.0.0.1:9000/v1'],
      ['v6', 'http://[::1]:8080'],
    ]);
    expect(Object.fromEntries(servers)).toEqual({ openai: { address: 'api.openai.com', port: 443 }, local: { address: '127.0.0.1', port: 9000 }, v6: { address: '::1', port: 8080 } });
  });
});

describe('error.type', () => {
  it('is the HTTP status when it says failure, else the outcome; absent on success', () => {
    expect(errorType(finishedCall())).toBeNull();
    expect(errorType(finishedCall({ outcome: 'upstream_error', status: 503 }))).toBe('503');
    expect(errorType(finishedCall({ outcome: 'refused', status: 429 }))).toBe('429');
    expect(errorType(finishedCall({ outcome: 'client_aborted', status: 200 }))).toBe('client_aborted');
    expect(errorType(finishedCall({ outcome: 'upstream_failed', status: 0 }))).toBe('upstream_failed');
  });
});

describe('span attributes', () => {
  it('marks an unpriced call and leaves the cost out', () => {
    const a = spanAttributes(finishedCall({ costNano: null, usageSource: 'reported' }), undefined);
    expect(a['tokometer.cost.priced']).toBe(false);
    expect(a['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(a['tokometer.cost.nano_usd']).toBeUndefined();
    expect(a['server.address']).toBeUndefined();
  });

  it('sets tokometer.cost.priced false whenever the call has no cost; tokometer.usage.source tells an unpriced call from unknown usage', () => {
    const span = (record: Parameters<typeof finishedCall>[0]) => {
      const a = spanAttributes(finishedCall(record), undefined);
      return [a['tokometer.cost.priced'], a['tokometer.usage.source'], a['tokometer.cost.nano_usd'] ?? null, a['gen_ai.usage.input_tokens'] ?? null];
    };
    // Usage known, no price applied: what `prices unpriced` lists (store/unpriced.ts).
    expect(span({ costNano: null, usageSource: 'reported' })).toEqual([false, 'reported', null, 1250]);
    expect(span({ costNano: null, usageSource: 'estimated' })).toEqual([false, 'estimated', null, 1250]);
    expect(isUnpriced({ costNano: null, usageSource: 'estimated' })).toBe(true);
    // Usage unknown (the answer could not be read): no cost either, although gpt-4o-mini has a price.
    expect(span({ costNano: null, usage: null, usageSource: 'unknown' })).toEqual([false, 'unknown', null, null]);
    expect(isUnpriced({ costNano: null, usageSource: 'unknown' })).toBe(false);
    // Never metered (refused by a budget): cost 0, priced.
    expect(span({ costNano: 0, usage: null, usageSource: 'not_metered', outcome: 'refused', status: 429 })).toEqual([true, 'not_metered', 0, null]);
    // Priced: $0.0001161.
    expect(span({})).toEqual([true, 'reported', 116_100, 1250]);
  });

  it('sums both cache-write lifetimes into cache_creation and names the refusing budget', () => {
    const call = finishedCall({ usage: { inputTokens: 4130, outputTokens: 85, cacheReadTokens: 0, cacheWrite5mTokens: 1024, cacheWrite1hTokens: 3072, reasoningTokens: 40 } }, { budget: 'free-tier-daily' });
    const a = spanAttributes(call, { address: 'api.anthropic.com', port: 443 });
    expect(a['gen_ai.usage.cache_creation.input_tokens']).toBe(4096);
    expect(a['gen_ai.usage.reasoning.output_tokens']).toBe(40);
    expect(a['tokometer.budget']).toBe('free-tier-daily');
  });

  it('keeps the time to first chunk for 2xx streams only', () => {
    expect(spanAttributes(finishedCall({ streamed: true, ttfbMs: 250 }), undefined)['gen_ai.response.time_to_first_chunk']).toBe(0.25);
    expect(spanAttributes(finishedCall({ streamed: false, ttfbMs: 250 }), undefined)['gen_ai.response.time_to_first_chunk']).toBeUndefined();
    // An error answer to a stream request (its body is the provider's error) has no first chunk of output.
    expect(spanAttributes(finishedCall({ streamed: true, ttfbMs: 250, status: 500, outcome: 'upstream_error' }), undefined)['gen_ai.response.time_to_first_chunk']).toBeUndefined();
  });
});

describe('metric attributes', () => {
  it('carry only the allowed tag keys, so a per-user tag never becomes a metric dimension', () => {
    const call = finishedCall({ tags: { feature: 'search', user_id: 'u_1', tenant_id: 't_9', team: 'core' } });
    expect(metricAttributes(call, ['feature'], { address: 'api.openai.com', port: 443 })).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'server.address': 'api.openai.com',
      'tokometer.key': 'summarizer',
      'tokometer.outcome': 'ok',
      'tokometer.tag.feature': 'search',
    });
    const two = metricAttributes(call, ['team', 'missing'], undefined);
    expect(Object.keys(two).filter((k) => k.startsWith('tokometer.tag.'))).toEqual(['tokometer.tag.team']);
  });
});
