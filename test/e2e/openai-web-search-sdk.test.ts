import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { sdkHarness, sseReply } from './sdk-harness.js';

/**
 * The Responses web search tool through the SDK and the proxy: OpenAI bills `web_search_preview`
 * on a non-reasoning model (gpt-4o-mini) at $25 per 1,000 searches and `web_search` at $10
 * (pricing/web-search-fees.ts). The answer echoes the request's tools, as the API does.
 *
 * gpt-4o-mini per 1M tokens: input $0.15, output $0.60 = 150 / 600 nano-USD per token.
 * 1,000 input and 100 output tokens: 150,000 + 60,000 = 210,000 nano-USD; one search:
 *   preview  25,000,000 → 25,210,000 nano-USD (the trial's real bill; recorded 10,210,000 before)
 *   GA       10,000,000 → 10,210,000 nano-USD
 */
const PREVIEW_COST_NANO = 25_210_000;
const GA_COST_NANO = 10_210_000;

function answer(tools: unknown): object {
  return {
    id: 'resp_ws_1',
    object: 'response',
    created_at: 1767225600,
    status: 'completed',
    model: 'gpt-4o-mini-2024-07-18',
    output: [
      { id: 'ws_1', type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'tokometer' } },
      { id: 'msg_1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', annotations: [], text: 'Found it.' }] },
    ],
    tools,
    usage: { input_tokens: 1000, input_tokens_details: { cached_tokens: 0 }, output_tokens: 100, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 1100 },
  };
}

function reply(req: ReceivedRequest): Reply | undefined {
  const body = req.json as { stream?: boolean; tools?: unknown } | undefined;
  if (req.url !== '/responses') return undefined;
  const response = answer(body?.tools ?? []);
  if (!body?.stream) return { body: JSON.stringify(response) };
  const frame = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  return sseReply([
    frame('response.created', { sequence_number: 0, response: { ...response, status: 'in_progress', output: [], usage: null } }),
    frame('response.completed', { sequence_number: 1, response }),
  ]);
}

describe('OpenAI web search tools through tokometer (SDK, Responses)', () => {
  const h = sdkHarness({ upstream: { reply } }, (started) => new OpenAI({ apiKey: started.secret, baseURL: started.baseUrl(), maxRetries: 0 }));

  it('meters a web_search_preview search on gpt-4o-mini at $25 per 1,000, not streamed', async () => {
    const res = await h.client.responses.create({ model: 'gpt-4o-mini', input: 'find tokometer', tools: [{ type: 'web_search_preview' }] });
    expect(res.output_text).toBe('Found it.');
    expect(h.lastRow()).toMatchObject({ endpoint: 'responses', model: 'gpt-4o-mini-2024-07-18', web_searches: 1, web_search_preview: 1, cost_nano: PREVIEW_COST_NANO });
  });

  it('meters a web_search_preview search on gpt-4o-mini at $25 per 1,000, streamed', async () => {
    const before = h.records.length;
    const stream = await h.client.responses.create({ model: 'gpt-4o-mini', input: 'find tokometer', tools: [{ type: 'web_search_preview_2025_03_11' }], stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(['response.created', 'response.completed']);
    expect(await h.rowAfter(before)).toMatchObject({ streamed: 1, web_searches: 1, web_search_preview: 1, cost_nano: PREVIEW_COST_NANO });
  });

  it('meters a web_search (GA) search on gpt-4o-mini at $10 per 1,000, streamed and not', async () => {
    await h.client.responses.create({ model: 'gpt-4o-mini', input: 'find tokometer', tools: [{ type: 'web_search' }] });
    expect(h.lastRow()).toMatchObject({ web_searches: 1, web_search_preview: null, cost_nano: GA_COST_NANO });
    const before = h.records.length;
    const stream = await h.client.responses.create({ model: 'gpt-4o-mini', input: 'find tokometer', tools: [{ type: 'web_search' }], stream: true });
    for await (const event of stream) void event;
    expect(await h.rowAfter(before)).toMatchObject({ streamed: 1, web_searches: 1, web_search_preview: null, cost_nano: GA_COST_NANO });
  });
});
