import { CohereClient } from 'cohere-ai';
import { describe, expect, it } from 'vitest';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { sdkHarness } from './sdk-harness.js';

/**
 * cohere-ai 8.1.0's default client, `new CohereClient()` (not CohereClientV2), calls Cohere's
 * v1 API: `chat` and `chatStream` post to /v1/chat (Client.js:128, :290), `embed` to
 * /v1/embed (Client.js:601). A v1 chat stream is newline-delimited JSON unless the request
 * sends `Accepts: text/event-stream` (ChatStreamRequest.d.ts `accepts`: "The default is `\n`
 * delimited events"; Client.js:162 messageTerminator "\n"), one event per line, the last one
 * `stream-end` whose `response.meta.billed_units` holds what is billed. The fake sends it as
 * `application/stream+json` and cut into 7-byte chunks, so lines straddle reads.
 */

const ANSWER_META = { api_version: { version: '1' }, billed_units: { input_tokens: 2000, output_tokens: 100 }, tokens: { input_tokens: 2070, output_tokens: 100 } };
const CHAT_V1 = JSON.stringify({ response_id: 'r1', text: 'Paris.', generation_id: 'g1', chat_history: [], finish_reason: 'COMPLETE', meta: ANSWER_META });
const STREAM_V1 = [
  { is_finished: false, event_type: 'stream-start', generation_id: 'g1' },
  { is_finished: false, event_type: 'text-generation', text: 'Paris' },
  { is_finished: false, event_type: 'text-generation', text: '.' },
  { is_finished: true, event_type: 'stream-end', finish_reason: 'COMPLETE', response: { response_id: 'r1', text: 'Paris.', generation_id: 'g1', chat_history: [], finish_reason: 'COMPLETE', meta: ANSWER_META } },
]
  .map((event) => `${JSON.stringify(event)}\n`)
  .join('');
const EMBED_V1 = JSON.stringify({
  id: 'e1',
  embeddings: [
    [0.1, 0.2],
    [0.3, 0.4],
  ],
  texts: ['hello', 'goodbye'],
  meta: { api_version: { version: '1' }, billed_units: { input_tokens: 2 } },
  response_type: 'embeddings_floats',
});

function reply(req: ReceivedRequest): Reply | undefined {
  const body = req.json as { stream?: boolean } | undefined;
  if (req.url === '/v1/chat' && body?.stream === true) return { headers: { 'content-type': 'application/stream+json' }, body: STREAM_V1, chunkBytes: 7 };
  if (req.url === '/v1/chat') return { body: CHAT_V1 };
  if (req.url === '/v1/embed') return { body: EMBED_V1 };
  return undefined;
}

// Catalog prices (createPricer().describe(model, 'cohere'), genai-prices 0.1.8):
//   command-r: $0.15 in / $0.60 out per 1M = 150 / 600 nano per token
//     2,000 × 150 + 100 × 600 = 300,000 + 60,000 = 360,000 nano
//   command-r-plus-08-2024 (catalog command-r-plus): $2.50 / $10 per 1M = 2,500 / 10,000 nano
//     2,000 × 2,500 + 100 × 10,000 = 5,000,000 + 1,000,000 = 6,000,000 nano
//   embed-v4.0: $0.12 per 1M = 120 nano per token; 2 × 120 = 240 nano
describe('Cohere SDK default client (CohereClient, API v1) through tokometer', () => {
  const h = sdkHarness({ upstream: { reply }, provider: 'cohere' }, (started) => new CohereClient({ token: started.secret, environment: started.baseUrl('cohere'), maxRetries: 0 }));

  it('meters a v1 chat stream (newline-delimited JSON) on stream-end billed_units: 360,000 nano-USD on command-r', async () => {
    const before = h.records.length;
    const stream = await h.client.chatStream({ model: 'command-r', message: 'Capital of France?' });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.eventType);
      if (event.eventType === 'text-generation') text += event.text;
    }
    expect(types).toEqual(['stream-start', 'text-generation', 'text-generation', 'stream-end']);
    expect(text).toBe('Paris.');
    expect(h.lastUpstream().url).toBe('/v1/chat');
    expect(await h.rowAfter(before)).toMatchObject({ endpoint: 'v1.chat', model: 'command-r', streamed: 1, outcome: 'ok', input_tokens: 2000, output_tokens: 100, cost_nano: 360_000, usage_source: 'reported' });
  });

  it('prices a v1 chat that names no model at Cohere v1 default, command-r-plus-08-2024: 6,000,000 nano-USD', async () => {
    const res = await h.client.chat({ message: 'Capital of France?' });
    expect(res.text).toBe('Paris.');
    expect(h.lastRow()).toMatchObject({ endpoint: 'v1.chat', model: 'command-r-plus-08-2024', streamed: 0, input_tokens: 2000, output_tokens: 100, cost_nano: 6_000_000, usage_source: 'reported' });
  });

  it('meters a v1 embed on meta.billed_units: 240 nano-USD on embed-v4.0', async () => {
    const res = await h.client.embed({ model: 'embed-v4.0', inputType: 'search_document', texts: ['hello', 'goodbye'] });
    expect(res.responseType).toBe('embeddings_floats');
    expect(h.lastUpstream().url).toBe('/v1/embed');
    expect(h.lastRow()).toMatchObject({ endpoint: 'v1.embed', model: 'embed-v4.0', input_tokens: 2, output_tokens: 0, cost_nano: 240, usage_source: 'reported' });
  });
});
