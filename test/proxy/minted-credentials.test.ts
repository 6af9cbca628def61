import { describe, expect, it } from 'vitest';
import { bodyText, chatCall, fixture, jsonAnswer } from './fakes.js';

/**
 * Paths that mint a short-lived provider credential with the provider key tokometer holds
 * (openai 6.49.0: realtime/client-secrets.js POST /realtime/client_secrets "without leaking
 * your main API key", beta/realtime/sessions.js POST /realtime/sessions,
 * beta/realtime/transcription-sessions.js POST /realtime/transcription_sessions,
 * beta/chatkit/sessions.js POST /chatkit/sessions; @google/genai 2.32.0 tokens.create, POST
 * {version}/auth_tokens). Whatever the minted credential is then used for goes to the provider
 * directly, past every meter and budget: a key at its cap could keep spending that way. They
 * are refused, never forwarded; the message says why and what to do.
 */

const PROVIDERS = 'providers:\n  openai: { base_url: "http://upstream.invalid/v1", api_key: "sk-real" }\n  gemini: { base_url: "http://upstream.invalid", api_key: "g-key" }\n';

describe('a request that would mint a provider credential for direct use', () => {
  it.each([
    ['/proxy/openai/v1/realtime/client_secrets', { session: { type: 'realtime', model: 'gpt-realtime' } }],
    ['/proxy/openai/v1/realtime/sessions', { model: 'gpt-4o-realtime-preview' }],
    ['/proxy/openai/v1/realtime/transcription_sessions', {}],
    ['/proxy/openai/v1/chatkit/sessions', { user: 'u1', workflow: { id: 'wf_1' } }],
    ['/proxy/gemini/v1alpha/auth_tokens', { uses: 1 }],
  ])('is refused with 400 saying it would bypass metering, never forwarded: %s', async (url, body) => {
    const f = fixture(() => jsonAnswer('{"value":"ek_minted"}'), {}, undefined, PROVIDERS);
    const call = { ...chatCall(body), url };
    call.headers = { ...call.headers, 'x-goog-api-key': call.headers.authorization!.slice('Bearer '.length) };
    const res = await f.handle(call);
    expect(res.status).toBe(400);
    expect(await bodyText(res)).toMatch(/credential.*past tokometer's metering and budgets/);
    expect(f.upstream.requests).toEqual([]);
  });

  it('leaves the reads of those resources alone (a GET is not a mint)', async () => {
    const f = fixture(() => jsonAnswer('{"object":"list","data":[]}'), {}, undefined, PROVIDERS);
    const res = await f.handle({ ...chatCall(''), method: 'GET', url: '/proxy/openai/v1/chatkit/sessions' });
    expect(res.status).toBe(200);
    expect(f.upstream.requests).toHaveLength(1);
  });
});
