import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { OutgoingResponse } from '../../src/proxy/types.js';
import { afterImmediates, bodyText, chatCall, fixture, jsonAnswer, SECRET } from './fakes.js';

/**
 * A key's model allow-list against request shapes where tokometer reads no model while the
 * provider runs one: the check must not pass a model it could not read.
 */

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');
const BOM = new Uint8Array([0xef, 0xbb, 0xbf]);

async function errorMessage(res: OutgoingResponse): Promise<string> {
  return (JSON.parse(await bodyText(res)) as { error: { message: string } }).error.message;
}

function bytesCall(url: string, bytes: Uint8Array, method = 'POST') {
  return { ...chatCall({}), method, url, readBody: async () => bytes };
}

describe('model allow-list', () => {
  it('refuses a metered request that names no model the proxy can read: a Responses call whose stored prompt picks it (openai SDK: ResponseCreateParamsBase.model is optional beside prompt)', async () => {
    // The provider runs the prompt's model (say o3-pro, $20/$80 per 1M), which the key may not
    // use; tokometer read model null and let it pass, reserving at the fallback prices.
    const f = fixture(() => jsonAnswer(CHAT), { models: ['gpt-4o-mini'] });
    const body = new TextEncoder().encode(JSON.stringify({ prompt: { id: 'pmpt_abc', version: '2' }, input: 'hi' }));
    const res = await f.handle(bytesCall('/proxy/openai/v1/responses', body));
    expect(res.status).toBe(403);
    expect(await errorMessage(res)).toMatch(/names no model/);
    expect(f.upstream.requests).toEqual([]);
  });

  it('reads a body that starts with a UTF-8 byte order mark, as parsers that decode UTF-8 with its BOM do (Python json.loads of bytes)', async () => {
    // Skipped as "not JSON": model null (the allow-list passed), no output limit, no stream usage asked for.
    const f = fixture(() => jsonAnswer(CHAT), { models: ['gpt-4o'] });
    const plain = new TextEncoder().encode(JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 64, messages: [] }));
    const withBom = new Uint8Array(BOM.length + plain.length);
    withBom.set(BOM);
    withBom.set(plain, BOM.length);
    const res = await f.handle(bytesCall('/proxy/openai/chat/completions', withBom));
    expect(res.status).toBe(403);
    expect(await errorMessage(res)).toBe("Key 'app' may not use model 'gpt-4o-mini' (allowed: gpt-4o).");
    expect(f.upstream.requests).toEqual([]);
  });

  it('tells the budget a metered call naming no model is metered, so an unrestricted key reserves for it', async () => {
    const f = fixture(() => jsonAnswer(CHAT));
    const body = new TextEncoder().encode(JSON.stringify({ prompt: { id: 'pmpt_abc' }, input: 'hi' }));
    await bodyText(await f.handle(bytesCall('/proxy/openai/v1/responses', body)));
    expect(f.gate.requests[0]).toMatchObject({ model: null, metered: true });
  });

  it('still passes what is not metered (no model to check) and a metered call naming an allowed model', async () => {
    const f = fixture(() => jsonAnswer(CHAT), { models: ['gpt-4o-mini'] });
    const list = await f.handle({ ...bytesCall('/proxy/openai/v1/models', new Uint8Array(), 'GET'), headers: { authorization: `Bearer ${SECRET}` } });
    expect(list.status).toBe(200);
    await bodyText(list);
    const chat = await f.handle(chatCall({ model: 'gpt-4o-mini', messages: [] }));
    expect(chat.status).toBe(200);
    await bodyText(chat);
    await afterImmediates();
    expect(f.upstream.requests).toHaveLength(2);
  });
});

describe('model allow-list on OpenRouter, whose fallback routing runs models the body lists beside `model`', () => {
  const OPENROUTER = 'providers:\n  openrouter: { base_url: "http://upstream.invalid/api/v1", api_key: "sk-or-upstream" }\n';

  function openRouterCall(body: object) {
    return { ...bytesCall('/proxy/openrouter/chat/completions', new TextEncoder().encode(JSON.stringify(body))) };
  }

  it('refuses a `models` fallback list naming a model the key may not use (openrouter.ai/docs/guides/routing/model-fallbacks: any error, a context length one included, moves to the next, priced as that model)', async () => {
    // A prompt past gpt-4o-mini's context falls back to claude-opus-4, which the key may not use;
    // tokometer checked `model` only, and reserved at gpt-4o-mini's prices.
    const f = fixture(() => jsonAnswer(CHAT), { models: ['openai/gpt-4o-mini'] }, undefined, OPENROUTER);
    const res = await f.handle(openRouterCall({ model: 'openai/gpt-4o-mini', models: ['anthropic/claude-opus-4'], messages: [] }));
    expect(res.status).toBe(403);
    expect(await errorMessage(res)).toMatch(/anthropic\/claude-opus-4/);
    expect(f.upstream.requests).toEqual([]);
  });

  it('hands the budget gate the fallback models, so the reservation covers the dearest model OpenRouter may bill', async () => {
    const f = fixture(() => jsonAnswer(CHAT), {}, undefined, OPENROUTER);
    const res = await f.handle(openRouterCall({ model: 'openai/gpt-4o-mini', models: ['anthropic/claude-opus-4'], messages: [] }));
    expect(res.status).toBe(200);
    await bodyText(res);
    expect(f.gate.requests.map((r) => r.fallbackModels)).toEqual([[{ model: 'anthropic/claude-opus-4' }]]);
  });

  it('refuses route: "fallback", where OpenRouter picks the fallback model itself; passes a fallback list the key allows', async () => {
    const f = fixture(() => jsonAnswer(CHAT), { models: ['openai/gpt-4o-mini', 'openai/gpt-4.1-mini'] }, undefined, OPENROUTER);
    const picked = await f.handle(openRouterCall({ model: 'openai/gpt-4o-mini', route: 'fallback', messages: [] }));
    expect(picked.status).toBe(403);
    const allowed = await f.handle(openRouterCall({ model: 'openai/gpt-4o-mini', models: ['openai/gpt-4.1-mini'], messages: [] }));
    expect(allowed.status).toBe(200);
    await bodyText(allowed);
    expect(f.upstream.requests).toHaveLength(1);
  });
});
