import { describe, expect, it } from 'vitest';
import { bodyText, chatCall, fixture, jsonAnswer } from './fakes.js';

/**
 * Providers that also serve an OpenAI-compatible layer bill its calls like their own
 * (Anthropic: POST /v1/chat/completions, platform.claude.com/docs/en/api/openai-sdk; Gemini:
 * /v1beta/openai/chat/completions and v1beta:chatCompletions, ai.google.dev/api/compatibility).
 * Through the provider's own adapter, which does not read that shape, they were forwarded as
 * unmetered `other` calls: $0 recorded, no budget checked.
 */

const PROVIDERS =
  'providers:\n  anthropic: { base_url: "http://upstream.invalid", api_key: "sk-ant" }\n  gemini: { base_url: "http://upstream.invalid", api_key: "g-key" }\n  cohere: { base_url: "http://upstream.invalid", api_key: "co-key" }\n  openrouter: { base_url: "http://upstream.invalid/api/v1", api_key: "or-key" }\n';

function post(url: string, body: object) {
  return { ...chatCall(body, { 'x-api-key': 'unused' }), url };
}

describe("a provider's OpenAI-compatible layer", () => {
  it.each([
    ['/proxy/anthropic/v1/chat/completions', { model: 'claude-opus-4-6', messages: [] }],
    ['/proxy/gemini/v1beta/openai/chat/completions', { model: 'gemini-2.5-pro', messages: [] }],
    ['/proxy/gemini/v1beta/openai/embeddings', { model: 'gemini-embedding-001', input: 'hi' }],
    ['/proxy/gemini/v1beta:chatCompletions', { model: 'gemini-2.5-pro', messages: [] }],
    // docs.cohere.com/docs/compatibility-api: base URL https://api.cohere.ai/compatibility/v1.
    ['/proxy/cohere/compatibility/v1/chat/completions', { model: 'command-a-03-2025', messages: [] }],
    ['/proxy/cohere/compatibility/v1/embeddings', { model: 'embed-v4.0', input: 'hi' }],
    // The other way round: OpenRouter's Anthropic-shaped Messages API (/api/v1/messages,
    // openrouter.ai/docs/guides/routing/model-fallbacks) through its OpenAI-family provider.
    ['/proxy/openrouter/messages', { model: 'anthropic/claude-opus-4', max_tokens: 1024, messages: [] }],
    ['/proxy/openrouter/v1/messages', { model: 'anthropic/claude-opus-4', max_tokens: 1024, messages: [] }],
  ])('is refused with 400 naming the way to meter it, never forwarded unmetered: %s', async (url, body) => {
    const f = fixture(() => jsonAnswer('{}'), {}, undefined, PROVIDERS);
    const call = post(url, body);
    // Each provider takes its own key header; the fake key is sent every way.
    call.headers = { ...call.headers, 'x-goog-api-key': call.headers.authorization!.slice('Bearer '.length), 'x-api-key': call.headers.authorization!.slice('Bearer '.length) };
    const res = await f.handle(call);
    expect(res.status).toBe(400);
    expect(await bodyText(res)).toMatch(/OpenAI-compatible|Anthropic-compatible/);
    expect(f.upstream.requests).toEqual([]);
  });
});
