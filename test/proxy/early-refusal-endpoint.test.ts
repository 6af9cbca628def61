import { describe, expect, it } from 'vitest';
import type { IncomingCall } from '../../src/proxy/types.js';
import { afterImmediates, chatCall, fixture, jsonAnswer, SECRET } from './fakes.js';

/**
 * A new user's trial: calls refused before their body is read (a bad X-Metering-Tags header:
 * 400; a body over limits.max_body_bytes: 413; a provider the key may not call: 403) were
 * recorded with endpoint `other` and no model, so `report --by endpoint` and `audit` could
 * not place them. The path alone says the endpoint, and for Gemini the model: the record
 * carries those, and the body is still never read for them.
 */
const GEMINI = 'providers:\n  gemini: { base_url: "http://upstream.invalid", api_key: "g-upstream" }\n  openai: { base_url: "http://upstream.invalid/v1", api_key: "sk-upstream" }\n';

/** A POST to `url` whose body is `bytes` long; counts the reads of its body. */
function post(url: string, headers: Record<string, string>, bytes: number): IncomingCall & { reads: number } {
  const body = new TextEncoder().encode(JSON.stringify({ contents: [{ parts: [{ text: 'x'.repeat(bytes) }] }] }));
  const call = {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    readBody: async (limit: number) => {
      call.reads++;
      return body.length > limit ? null : body;
    },
    signal: new AbortController().signal,
    reads: 0,
  };
  return call;
}

describe('a call refused before its body is read is recorded with what its path says', () => {
  it('a 400 for a bad X-Metering-Tags header on /chat/completions: endpoint chat.completions, no model (OpenAI names it in the body only)', async () => {
    const f = fixture(() => jsonAnswer('{}'));
    const call = chatCall({ model: 'gpt-4o-mini', messages: [] }, { 'x-metering-tags': '{"feature":' });
    let reads = 0;
    const read = call.readBody;
    const res = await f.handle({ ...call, readBody: (limit) => (reads++, read(limit)) });
    expect(res.status).toBe(400);
    await afterImmediates();
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'refused', status: 400, endpoint: 'chat.completions', modelRequested: null, model: null, promptBytes: 0 });
    expect(reads).toBe(0);
    expect(f.upstream.requests).toEqual([]);
  });

  it('a 413 for a Gemini generateContent body over the limit: endpoint generateContent and the model the path names', async () => {
    const f = fixture(() => jsonAnswer('{}'), {}, undefined, GEMINI);
    const call = post('/proxy/gemini/v1beta/models/gemini-2.5-flash:generateContent', { 'x-goog-api-key': SECRET }, 2 << 20);
    const res = await f.handle(call);
    expect(res.status).toBe(413);
    await afterImmediates();
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'refused', status: 413, provider: 'gemini', endpoint: 'generateContent', modelRequested: 'gemini-2.5-flash', model: 'gemini-2.5-flash', streamed: false });
    expect(f.upstream.requests).toEqual([]);
  });

  it('a 400 for bad tags on Gemini streamGenerateContent: the model and the stream the path asks for, the body unread', async () => {
    const f = fixture(() => jsonAnswer('{}'), {}, undefined, GEMINI);
    const call = post('/proxy/gemini/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse', { 'x-goog-api-key': SECRET, 'x-metering-tags': '[1]' }, 10);
    expect((await f.handle(call)).status).toBe(400);
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ outcome: 'refused', endpoint: 'generateContent', modelRequested: 'gemini-2.5-pro', streamed: true });
    expect(call.reads).toBe(0);
  });

  it('a 403 for a provider the key may not call: the endpoint of its path', async () => {
    const f = fixture(() => jsonAnswer('{}'), { providers: ['gemini'] });
    const res = await f.handle(chatCall({ model: 'gpt-4o-mini', messages: [] }));
    expect(res.status).toBe(403);
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ outcome: 'refused', status: 403, endpoint: 'chat.completions', modelRequested: null });
  });

  it('an OpenAI image edit refused early does not guess the model its endpoint defaults to', async () => {
    const f = fixture(() => jsonAnswer('{}'));
    const res = await f.handle({ ...chatCall({ prompt: 'a cat' }, { 'x-metering-tags': 'nope' }), url: '/proxy/openai/images/edits' });
    expect(res.status).toBe(400);
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ outcome: 'refused', endpoint: 'images.edits', modelRequested: null, model: null });
  });
});
