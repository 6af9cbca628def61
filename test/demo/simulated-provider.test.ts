import { describe, expect, it } from 'vitest';
import { CACHE_BLOCK_TOKENS, CACHE_TTL_MS, MIN_CACHED_TOKENS } from '../../src/demo/prompt-cache.js';
import { SIM_FAIL_HEADER, SIM_OUTPUT_HEADER, SIM_TIME_HEADER, createSimulatedHandler } from '../../src/demo/simulated-provider.js';
import { createAnthropicAdapter } from '../../src/providers/anthropic.js';
import { createGeminiAdapter } from '../../src/providers/gemini.js';
import { createOpenAiAdapter } from '../../src/providers/openai.js';
import { SseFramer } from '../../src/providers/sse.js';
import type { Observed, ProviderAdapter } from '../../src/providers/types.js';
import type { IncomingCall, OutgoingResponse } from '../../src/proxy/types.js';

const KEY = 'sk-sim-test-key';
const T0 = Date.parse('2026-11-02T10:00:00Z');
const handler = () => createSimulatedHandler({ apiKey: KEY });

function call(url: string, headers: Record<string, string>, body: unknown): IncomingCall {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  return { method: 'POST', url, headers, readBody: async () => bytes, signal: new AbortController().signal };
}

async function bytesOf(res: OutgoingResponse): Promise<Uint8Array[]> {
  if (typeof res.body === 'string') return [new TextEncoder().encode(res.body)];
  if (res.body instanceof Uint8Array) return [res.body];
  const chunks: Uint8Array[] = [];
  await res.body?.pump((chunk) => void chunks.push(chunk));
  return chunks;
}

/** What tokometer's own adapter meters from the simulated response. */
async function meter(adapter: ProviderAdapter, url: string, body: unknown, res: OutgoingResponse): Promise<Observed> {
  const info = adapter.describe('POST', url, body);
  const chunks = await bytesOf(res);
  if (!info.streaming) return adapter.usageFromJson(info, JSON.parse(Buffer.concat(chunks).toString('utf8')));
  const acc = adapter.newStreamAccumulator(info, { stripInjectedUsage: false });
  const framer = new SseFramer();
  for (const chunk of chunks) framer.push(chunk, (frame) => acc.onFrame(frame));
  framer.end((frame) => acc.onFrame(frame));
  return acc.finish();
}

/** `tokens` tokens of text at the simulated provider's 4 characters per token. */
const text = (tokens: number, letter = 'a') => letter.repeat(tokens * 4);

describe('simulated provider', () => {
  it('answers OpenAI chat, streamed and not, with usage the openai adapter meters', async () => {
    const sim = handler();
    const headers = { authorization: `Bearer ${KEY}`, [SIM_OUTPUT_HEADER]: '37', [SIM_TIME_HEADER]: String(T0) };
    const body = { model: 'gpt-4.1-mini', messages: [{ role: 'system', content: text(100) }, { role: 'user', content: text(200, 'b') }] };
    const plain = await meter(createOpenAiAdapter(), '/v1/chat/completions', body, await sim(call('/v1/chat/completions', headers, body)));
    expect(plain.model).toBe('gpt-4.1-mini-2025-04-14');
    expect(plain.usage).toMatchObject({ outputTokens: 37, cacheReadTokens: 0 });
    expect(plain.usage!.inputTokens).toBeGreaterThanOrEqual(300);
    expect(plain.usage!.inputTokens).toBeLessThanOrEqual(310);

    const streamBody = { ...body, stream: true, stream_options: { include_usage: true } };
    const streamed = await meter(createOpenAiAdapter(), '/v1/chat/completions', streamBody, await sim(call('/v1/chat/completions', { ...headers, [SIM_TIME_HEADER]: String(T0 + 1000) }, streamBody)));
    expect(streamed.usage).toMatchObject({ inputTokens: plain.usage!.inputTokens, outputTokens: 37 });
  });

  it('caps the output at max_tokens and says so in finish_reason', async () => {
    const res = await handler()(call('/v1/chat/completions', { authorization: `Bearer ${KEY}`, [SIM_OUTPUT_HEADER]: '500' }, { model: 'gpt-4.1-nano', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }));
    const json = JSON.parse(Buffer.concat(await bytesOf(res)).toString('utf8')) as { usage: { completion_tokens: number }; choices: Array<{ finish_reason: string }> };
    expect(json.usage.completion_tokens).toBe(64);
    expect(json.choices[0]!.finish_reason).toBe('length');
  });

  it('answers Anthropic messages and Gemini generateContent, streamed and not, metered by their adapters', async () => {
    const sim = handler();
    const anthropic = { model: 'claude-sonnet-4-5', max_tokens: 1024, system: text(500), messages: [{ role: 'user', content: text(300, 'c') }] };
    const aHeaders = { 'x-api-key': KEY, 'anthropic-version': '2023-06-01', [SIM_OUTPUT_HEADER]: '250' };
    for (const stream of [false, true]) {
      const body = { ...anthropic, stream };
      const seen = await meter(createAnthropicAdapter(), '/v1/messages', body, await sim(call('/v1/messages', aHeaders, body)));
      expect(seen.usage).toMatchObject({ inputTokens: 801, outputTokens: 250, cacheReadTokens: 0, cacheWrite5mTokens: 0 });
      expect(seen.model).toBe('claude-sonnet-4-5-20250929');
    }
    const gemini = { systemInstruction: { parts: [{ text: text(300) }] }, contents: [{ role: 'user', parts: [{ text: text(700, 'd') }] }], generationConfig: { maxOutputTokens: 64 } };
    const gHeaders = { 'x-goog-api-key': KEY, [SIM_OUTPUT_HEADER]: '40' };
    for (const url of ['/v1beta/models/gemini-2.5-flash-lite:generateContent', '/v1beta/models/gemini-2.5-flash-lite:streamGenerateContent?alt=sse']) {
      const seen = await meter(createGeminiAdapter(), url, gemini, await sim(call(url, gHeaders, gemini)));
      expect(seen.usage).toMatchObject({ inputTokens: 1001, outputTokens: 40 });
    }
  });

  it('reports cached tokens for a repeated long prompt within the TTL, in 128-token blocks, and none otherwise', async () => {
    const sim = handler();
    const send = async (system: string, at: number) => {
      const body = { model: 'gpt-4.1-mini', messages: [{ role: 'system', content: system }, { role: 'user', content: text(50, 'q') }] };
      const res = await sim(call('/v1/chat/completions', { authorization: `Bearer ${KEY}`, [SIM_TIME_HEADER]: String(at), [SIM_OUTPUT_HEADER]: '5' }, body));
      return (await meter(createOpenAiAdapter(), '/v1/chat/completions', body, res)).usage!.cacheReadTokens;
    };
    const long = text(3000, 'p');
    expect(await send(long, T0)).toBe(0);
    const repeat = await send(long, T0 + 60_000);
    expect(repeat).toBeGreaterThanOrEqual(3000 - CACHE_BLOCK_TOKENS);
    expect(repeat % CACHE_BLOCK_TOKENS).toBe(0);
    expect(await send(`Current time: ${T0 + 90_000}\n${long}`, T0 + 90_000)).toBe(0);
    expect(await send(long, T0 + 60_000 + CACHE_TTL_MS + 1)).toBe(0);
    expect(await send(text(MIN_CACHED_TOKENS - 200, 's'), T0)).toBe(0);
    expect(await send(text(MIN_CACHED_TOKENS - 200, 's'), T0 + 1000)).toBe(0);
  });

  it('answers embeddings in both families, and refuses a wrong key or a simulated failure in the family’s error shape', async () => {
    const sim = handler();
    const emb = await sim(call('/v1/embeddings', { authorization: `Bearer ${KEY}` }, { model: 'text-embedding-3-small', input: ['abcd'.repeat(10), 'abcd'] }));
    expect(JSON.parse(Buffer.concat(await bytesOf(emb)).toString('utf8'))).toMatchObject({ usage: { prompt_tokens: 11 }, data: [{ index: 0 }, { index: 1 }] });
    const batch = await sim(call('/v1beta/models/gemini-embedding-001:batchEmbedContents', { 'x-goog-api-key': KEY }, { requests: [{}, {}, {}] }));
    expect((JSON.parse(Buffer.concat(await bytesOf(batch)).toString('utf8')) as { embeddings: unknown[] }).embeddings).toHaveLength(3);

    const denied = await sim(call('/v1/messages', { 'x-api-key': 'sk-wrong' }, {}));
    expect(denied.status).toBe(401);
    expect(JSON.parse(denied.body as string)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const overloaded = await sim(call('/v1/messages', { 'x-api-key': KEY, [SIM_FAIL_HEADER]: '529' }, { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [] }));
    expect(overloaded.status).toBe(529);
    expect(JSON.parse(overloaded.body as string)).toMatchObject({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    const geminiDenied = await sim(call('/v1beta/models/gemini-2.5-flash:generateContent', {}, {}));
    expect(JSON.parse(geminiDenied.body as string)).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
  });
});
