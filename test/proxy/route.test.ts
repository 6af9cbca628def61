import { describe, expect, it } from 'vitest';
import { parseRoute, upstreamUrl } from '../../src/proxy/route.js';

describe('parseRoute', () => {
  it('splits provider, path and raw query', () => {
    expect(parseRoute('/proxy/openai/chat/completions?a=1&b=%20')).toEqual({ ok: true, value: { kind: 'proxy', provider: 'openai', path: '/chat/completions', query: 'a=1&b=%20' } });
    expect(parseRoute('/proxy/gemini/v1beta/models/gemini-2.5-flash:generateContent')).toMatchObject({ ok: true, value: { provider: 'gemini', path: '/v1beta/models/gemini-2.5-flash:generateContent' } });
  });
  it('decodes escaped letters, digits, - _ ~ and : (what the provider reads, and bills), and nothing else', () => {
    // Metered as the endpoint the provider serves: an escaped letter is no way around the meter or a budget.
    expect(parseRoute('/proxy/openai/v1/chat/completion%73')).toMatchObject({ ok: true, value: { path: '/v1/chat/completions' } });
    expect(parseRoute('/proxy/gemini/v1beta/models/gemini-2.5-flash%3AgenerateContent')).toMatchObject({ ok: true, value: { path: '/v1beta/models/gemini-2.5-flash:generateContent' } });
    expect(parseRoute('/proxy/openai/v1/files/file%2Dab%5F%7E%41')).toMatchObject({ ok: true, value: { path: '/v1/files/file-ab_~A' } });
    expect(parseRoute('/proxy/openai/v1/x%20y%3Fz%23%25')).toMatchObject({ ok: true, value: { path: '/v1/x%20y%3Fz%23%25' } });
  });
  it('knows the built-in routes', () => {
    expect(parseRoute('/healthz')).toEqual({ ok: true, value: { kind: 'health' } });
    expect(parseRoute('/metrics')).toEqual({ ok: true, value: { kind: 'metrics' } });
    expect(parseRoute('/admin/keys?x=1')).toEqual({ ok: true, value: { kind: 'admin', path: '/keys', query: 'x=1' } });
    expect(parseRoute('/nope')).toEqual({ ok: true, value: { kind: 'unknown' } });
  });
  it.each(['/proxy/openai/../x', '/proxy/openai/a/%2E%2E/x', '/proxy/openai/a%2Fb', '/proxy/openai/a//b', '/proxy/openai/a%zz', '/proxy/openai/a b', 'http://x/proxy/openai/a'])('refuses %s', (url) => {
    expect(parseRoute(url).ok).toBe(false);
  });
});

describe('upstreamUrl', () => {
  it('appends path and query to the base URL', () => {
    expect(upstreamUrl('https://api.openai.com/v1', '/chat/completions', '')).toBe('https://api.openai.com/v1/chat/completions');
    expect(upstreamUrl('https://api.openai.com/v1/', '/models', 'limit=2')).toBe('https://api.openai.com/v1/models?limit=2');
  });
  it('shares a /v1 segment between base URL and path once (Mistral SDK, or an SDK given …/v1)', () => {
    expect(upstreamUrl('https://api.mistral.ai/v1', '/v1/chat/completions', '')).toBe('https://api.mistral.ai/v1/chat/completions');
    expect(upstreamUrl('https://api.openai.com/v1', '/v1/embeddings', '')).toBe('https://api.openai.com/v1/embeddings');
    expect(upstreamUrl('https://api.anthropic.com', '/v1/messages', '')).toBe('https://api.anthropic.com/v1/messages');
    expect(upstreamUrl('https://api.example.com/v1', '/v1x/a', '')).toBe('https://api.example.com/v1/v1x/a');
  });
});
