import { describe, expect, it } from 'vitest';
import { bodyText, fixture, jsonAnswer, SECRET } from './fakes.js';

/** A call to `url` as an edge hands it over, with the key the way each SDK sends it. */
function call(url: string) {
  return {
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${SECRET}`, 'x-api-key': SECRET, 'x-goog-api-key': SECRET, 'content-type': 'application/json' },
    readBody: async () => new TextEncoder().encode('{}'),
    signal: new AbortController().signal,
  };
}

/**
 * A malformed request gets a clear error in the shape of the provider it was meant for
 * (SPEC §4, §5: "in the provider's own error shape, so each SDK raises its usual error").
 * An unsafe path under /proxy/<known provider>/ is refused before anything is sent; the
 * provider is known by then, so its SDK's shape is the one to answer in.
 */
describe('an unsafe path under a known provider', () => {
  it('is refused with 400 in the Anthropic error shape on /proxy/anthropic', async () => {
    const f = fixture(() => jsonAnswer('{}'));
    const res = await f.handle(call('/proxy/anthropic/v1/messages/%2e%2e/x'));
    expect(res.status).toBe(400);
    const body = JSON.parse(await bodyText(res)) as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(f.upstream.requests).toEqual([]);
  });

  it('is refused with 400 in the Gemini error shape on /proxy/gemini', async () => {
    const f = fixture(() => jsonAnswer('{}'));
    const res = await f.handle(call('/proxy/gemini/v1beta/models/gemini-2.5-flash%2fx:generateContent'));
    expect(res.status).toBe(400);
    const body = JSON.parse(await bodyText(res)) as Record<string, unknown>;
    expect(body).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
    expect(f.upstream.requests).toEqual([]);
  });
});
