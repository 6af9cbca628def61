import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/proxy-harness.js';

/**
 * A provider with no API key configured is a configuration error that lasts until serve is
 * restarted: tokometer answers 502 (upstream_unreachable) with a message naming the config
 * field. The official OpenAI and Anthropic SDKs retry every 5xx twice by default unless the
 * server says `x-should-retry: false` (PROVIDERS.md §1.2), so without it one client call
 * waits through the backoff and is recorded three times as a refused call.
 */
describe('502 for a provider without an API key, through the official SDKs (default retries)', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  const noKeyConfig = (provider: string, base: string) => () => `providers:\n  ${provider}: { base_url: "${base}" }\nstore: { flush_interval_ms: 5 }\n`;

  it('openai: one attempt, one refused record, x-should-retry: false', async () => {
    h = await startHarness({ upstream: { reply: () => undefined }, configYaml: noKeyConfig('openai', 'http://127.0.0.1:9/v1') });
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl() });
    const error = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as Error).message).toMatch(/No API key is configured for provider 'openai'/);
    expect(h.records.map((r) => r.outcome)).toEqual(['refused']);
    expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get('x-should-retry')).toBe('false');
    expect(h.fake.requests).toEqual([]);
  });

  it('anthropic: one attempt, one refused record, x-should-retry: false', async () => {
    h = await startHarness({ provider: 'anthropic', upstream: { reply: () => undefined, authHeader: 'x-api-key' }, configYaml: noKeyConfig('anthropic', 'http://127.0.0.1:9') });
    const client = new Anthropic({ apiKey: h.secret, baseURL: h.baseUrl('anthropic') });
    const error = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect((error as Error).message).toMatch(/No API key is configured for provider 'anthropic'/);
    expect(h.records.map((r) => r.outcome)).toEqual(['refused']);
    expect((error as InstanceType<typeof Anthropic.APIError>).headers?.get('x-should-retry')).toBe('false');
    expect(h.fake.requests).toEqual([]);
  });
});
