import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { OutgoingResponse } from '../../src/proxy/types.js';
import { afterImmediates, bodyText, chatCall, fixture, jsonAnswer, SECRET } from './fakes.js';

/**
 * A request naming a model longer than 256 UTF-8 bytes (domain/model-names.ts) is refused
 * with 400 before it is forwarded: no provider names a model that long, and the stores
 * could not index the name whole (PostgreSQL's btree entries hold ~2.7 KB). The refusal is
 * recorded, as other refusals are (the store cuts the name it keeps).
 */

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');
const GEMINI = 'providers:\n  gemini: { base_url: "http://upstream.invalid", api_key: "g-upstream" }\n';

async function errorMessage(res: OutgoingResponse): Promise<string> {
  return (JSON.parse(await bodyText(res)) as { error: { message: string } }).error.message;
}

describe('a model name longer than 256 bytes', () => {
  it('is refused with 400 before it is forwarded, and the refusal is recorded', async () => {
    const f = fixture(() => jsonAnswer(CHAT));
    const model = `gpt-4o-${'x'.repeat(293)}`; // 300 bytes
    const res = await f.handle(chatCall({ model, messages: [{ role: 'user', content: 'hi' }] }));
    expect(res.status).toBe(400);
    expect(await errorMessage(res)).toBe('The model name is 300 bytes long (at most 256); no provider names a model that long.');
    await afterImmediates();
    expect(f.upstream.requests).toEqual([]);
    expect(f.records.map((r) => [r.outcome, r.status, r.modelRequested?.length])).toEqual([['refused', 400, 300]]);
  });

  it('counts bytes, not characters: 129 × "é" (258 bytes) is refused, 128 (256 bytes) is forwarded', async () => {
    const f = fixture(() => jsonAnswer(CHAT));
    const refused = await f.handle(chatCall({ model: 'é'.repeat(129), messages: [] }));
    expect(refused.status).toBe(400);
    expect(await errorMessage(refused)).toBe('The model name is 258 bytes long (at most 256); no provider names a model that long.');
    expect(f.upstream.requests).toEqual([]);
    const passed = await f.handle(chatCall({ model: 'é'.repeat(128), messages: [] }));
    expect(passed.status).toBe(200);
    await bodyText(passed);
    expect(f.upstream.requests.length).toBe(1);
  });

  it('is refused when it comes in the URL path (Gemini)', async () => {
    const f = fixture(() => jsonAnswer('{}'), {}, undefined, GEMINI);
    const model = 'g'.repeat(400);
    const res = await f.handle({
      method: 'POST',
      url: `/proxy/gemini/v1beta/models/${model}:generateContent`,
      headers: { 'x-goog-api-key': SECRET, 'content-type': 'application/json' },
      readBody: async () => new TextEncoder().encode('{"contents":[]}'),
      signal: new AbortController().signal,
    });
    expect(res.status).toBe(400);
    expect(await errorMessage(res)).toBe('The model name is 400 bytes long (at most 256); no provider names a model that long.');
    expect(f.upstream.requests).toEqual([]);
  });
});
