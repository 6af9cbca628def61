import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOpenAiAdapter } from '../../src/providers/openai.js';
import type { Observed, PreparedRequest, ProviderAdapter, RequestInfo } from '../../src/providers/types.js';
import { expectBypassChangesNothing, replayStream, usage } from './support.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/openai');
const enc = new TextEncoder();
const dec = new TextDecoder();
const adapter = createOpenAiAdapter();

const json = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));

function info(path: string, body: unknown = { model: 'm', stream: true }): RequestInfo {
  return adapter.describe('POST', path, body);
}

/** Replays a stream fixture through the framer and an accumulator, in 7-byte chunks. */
const replay = (bytes: Uint8Array, req: RequestInfo, prepared: PreparedRequest, a: ProviderAdapter = adapter) => replayStream(a, req, prepared, bytes);

const fixture = (name: string): Uint8Array => readFileSync(join(FIXTURES, name));

/**
 * Replays hand-written frames for a POST to `path`: each frame is its raw text (without the
 * blank line that ends it), or an object sent as one compact JSON `data:` line.
 */
function replayFrames(path: string, frames: ReadonlyArray<string | object>, prepared: PreparedRequest = { stripInjectedUsage: false }) {
  const text = frames.map((f) => (typeof f === 'string' ? f : `data: ${JSON.stringify(f)}`)).join('\n\n');
  return replay(enc.encode(`${text}\n\n`), info(path), prepared);
}

describe('usageFromJson on fixtures', () => {
  const cases: Array<[file: string, path: string, expected: Observed]> = [
    ['chat.json', '/chat/completions', { finishReasons: ['stop'], model: 'gpt-4o-mini-2024-07-18', usage: usage({ inputTokens: 1250, outputTokens: 9, cacheReadTokens: 1024, serviceTier: 'default' }) }],
    [
      'chat-reasoning.json',
      '/chat/completions',
      { finishReasons: ['stop'], model: 'gpt-5-2025-08-07', usage: usage({ inputTokens: 3410, outputTokens: 1876, cacheReadTokens: 2048, cacheWrite5mTokens: 1280, reasoningTokens: 1792, serviceTier: 'priority' }) },
    ],
    [
      'chat-audio.json',
      '/chat/completions',
      { finishReasons: ['stop'], model: 'gpt-4o-audio-preview-2025-06-03', usage: usage({ inputTokens: 412, outputTokens: 96, inputAudioTokens: 380, outputAudioTokens: 84, serviceTier: 'default' }) },
    ],
    ['responses.json', '/responses', { model: 'gpt-5-mini-2025-08-07', responseId: 'resp_68af0c1e9a', usage: usage({ inputTokens: 1250, outputTokens: 140, cacheReadTokens: 1024, reasoningTokens: 128, serviceTier: 'default' }) }],
    ['embeddings-float.json', '/embeddings', { model: 'text-embedding-3-small', usage: usage({ inputTokens: 8 }) }],
    ['embeddings-base64.json', '/v1/embeddings', { model: 'text-embedding-3-large', usage: usage({ inputTokens: 23 }) }],
    ['deepseek-chat.json', '/chat/completions', { finishReasons: ['stop'], model: 'deepseek-chat', usage: usage({ inputTokens: 1850, outputTokens: 210, cacheReadTokens: 1792 }) }],
    ['deepseek-reasoner.json', '/chat/completions', { finishReasons: ['stop'], model: 'deepseek-reasoner', usage: usage({ inputTokens: 640, outputTokens: 1187, cacheReadTokens: 512, reasoningTokens: 1101 }) }],
    [
      'openrouter-chat.json',
      '/chat/completions',
      { finishReasons: ['stop'], model: 'anthropic/claude-sonnet-4', usage: usage({ inputTokens: 2100, outputTokens: 150, cacheReadTokens: 1800, cacheWrite5mTokens: 250, providerCostNano: 3_256_500 }) },
    ],
    ['groq-chat.json', '/chat/completions', { finishReasons: ['stop'], model: 'llama-3.3-70b-versatile', usage: usage({ inputTokens: 48, outputTokens: 3, serviceTier: 'on_demand' }) }],
    // xAI reports reasoning on top of completion_tokens: 712 + 47 + 251 = 1010 = total_tokens.
    ['xai-chat.json', '/chat/completions', { finishReasons: ['stop'], model: 'grok-4-0709', usage: usage({ inputTokens: 712, outputTokens: 298, cacheReadTokens: 640, reasoningTokens: 251, providerCostNano: 4_639_500 }) }],
    ['xai-responses.json', '/responses', { model: 'grok-4-fast-reasoning', responseId: 'resp_7c1d2e3f-4a5b', usage: usage({ inputTokens: 279, outputTokens: 95, cacheReadTokens: 150, reasoningTokens: 89, providerCostNano: 62_750 }) }],
    ['error-401.json', '/chat/completions', { model: null, usage: null }],
  ];

  for (const [file, path, expected] of cases) {
    it(file, () => {
      expect(adapter.usageFromJson(info(path, { model: 'x' }), json(file))).toEqual(expected);
    });
  }

  it('returns usage null for missing or malformed usage and never throws', () => {
    const req = info('/chat/completions');
    const bad: unknown[] = [
      undefined,
      null,
      'text',
      42,
      [],
      {},
      { usage: null },
      { usage: 'lots' },
      { usage: [] },
      { usage: {} },
      { usage: { prompt_tokens: 'ten', completion_tokens: null } },
      { usage: { prompt_tokens: -5 } },
      { usage: { prompt_tokens: Number.NaN } },
      { x_groq: 'nope' },
    ];
    for (const body of bad) expect(adapter.usageFromJson(req, body).usage).toBeNull();
    expect(adapter.usageFromJson(req, { model: 'gpt-4o', usage: null })).toEqual({ model: 'gpt-4o', usage: null });
  });

  it('ignores unknown fields and tolerates odd detail types', () => {
    const body = {
      model: 'gpt-4o',
      brand_new: { deeply: ['nested'] },
      usage: {
        prompt_tokens: 100,
        completion_tokens: 20,
        total_tokens: 120,
        future_tokens: 7,
        prompt_tokens_details: 'not an object',
        completion_tokens_details: { reasoning_tokens: 'many', new_kind_tokens: 3 },
      },
    };
    expect(adapter.usageFromJson(info('/chat/completions'), body)).toEqual({ model: 'gpt-4o', usage: usage({ inputTokens: 100, outputTokens: 20 }) });
  });

  it('keeps cache and reasoning counts within their totals', () => {
    const body = { usage: { prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 50, cache_write_tokens: 9 }, completion_tokens_details: { reasoning_tokens: 8 } } };
    expect(adapter.usageFromJson(info('/chat/completions'), body).usage).toEqual(usage({ inputTokens: 10, outputTokens: 5, cacheReadTokens: 10, reasoningTokens: 5 }));
  });

  it('reads Groq x_groq.usage when there is no top-level usage', () => {
    const body = { model: 'llama', x_groq: { id: 'req_1', usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, dram_cached_tokens: 1 } } };
    expect(adapter.usageFromJson(info('/chat/completions'), body).usage).toEqual(usage({ inputTokens: 5, outputTokens: 2 }));
  });
});

describe('web searches of the Responses API', () => {
  const output = [
    { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'tokometer' } },
    { type: 'web_search_call', id: 'ws_2', status: 'completed', action: { type: 'open_page', url: 'https://example.com' } },
    { type: 'web_search_call', id: 'ws_3', status: 'completed' },
    { type: 'message', id: 'msg_1', role: 'assistant', content: [] },
  ];
  const response = { object: 'response', model: 'gpt-4o-2024-08-06', output, usage: { input_tokens: 100, output_tokens: 20 } };

  it('counts the search calls (searches, and items from before actions), not page opens', () => {
    expect(adapter.usageFromJson(info('/v1/responses', { model: 'gpt-4o' }), response).usage).toEqual(usage({ inputTokens: 100, outputTokens: 20, webSearches: 2 }));
    expect(adapter.usageFromJson(info('/v1/responses', { model: 'gpt-4o' }), { ...response, output: [] }).usage).toEqual(usage({ inputTokens: 100, outputTokens: 20 }));
  });

  it('counts them in the terminal event of a stream', () => {
    const seen = replayFrames('/v1/responses', [`event: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', response })}`]);
    expect(seen.observed.usage).toEqual(usage({ inputTokens: 100, outputTokens: 20, webSearches: 2 }));
  });
});

describe('which web search tool ran the searches (OpenAI bills web_search_preview at $25 per 1,000 on non-reasoning models)', () => {
  const output = [
    { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'tokometer' } },
    { type: 'message', id: 'msg_1', role: 'assistant', content: [] },
  ];
  // The Responses object echoes the request's tools (openai SDK Response.tools).
  const answer = (tools: object[]) => ({ object: 'response', model: 'gpt-4o-mini-2024-07-18', tools, output, usage: { input_tokens: 1000, output_tokens: 100 } });
  const read = (json: object) => adapter.usageFromJson(info('/v1/responses', { model: 'gpt-4o-mini' }), json).usage;

  it('marks the searches of a call whose web search tools are all the preview tool', () => {
    for (const type of ['web_search_preview', 'web_search_preview_2025_03_11']) {
      expect(read(answer([{ type, search_context_size: 'medium' }])), type).toEqual(usage({ inputTokens: 1000, outputTokens: 100, webSearches: 1, webSearchPreview: true }));
    }
    expect(read(answer([{ type: 'function', name: 'f' }, { type: 'web_search_preview' }]))).toEqual(usage({ inputTokens: 1000, outputTokens: 100, webSearches: 1, webSearchPreview: true }));
  });

  it('leaves the searches of the GA tool (web_search, web_search_2025_08_26) unmarked, and a call with both tools too (the cheaper fee: a lower bound)', () => {
    for (const type of ['web_search', 'web_search_2025_08_26']) {
      expect(read(answer([{ type }])), type).toEqual(usage({ inputTokens: 1000, outputTokens: 100, webSearches: 1 }));
    }
    expect(read(answer([{ type: 'web_search' }, { type: 'web_search_preview' }]))).toEqual(usage({ inputTokens: 1000, outputTokens: 100, webSearches: 1 }));
  });

  it('marks nothing when no search ran', () => {
    expect(read({ ...answer([{ type: 'web_search_preview' }]), output: [] })).toEqual(usage({ inputTokens: 1000, outputTokens: 100 }));
  });

  it('marks them in the terminal event of a stream', () => {
    const response = answer([{ type: 'web_search_preview' }]);
    const seen = replayFrames('/v1/responses', [`event: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', response })}`]);
    expect(seen.observed.usage).toEqual(usage({ inputTokens: 1000, outputTokens: 100, webSearches: 1, webSearchPreview: true }));
  });
});

describe('file searches of the Responses API', () => {
  // As the openai SDK types them (ResponseFileSearchToolCall): one item per tool call, which may run several queries.
  const output = [
    { type: 'file_search_call', id: 'fs_1', status: 'completed', queries: ['tokometer pricing', 'nano-USD', 'reconcile'], results: null },
    { type: 'file_search_call', id: 'fs_2', status: 'completed', queries: ['budgets'] },
    { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'tokometer' } },
    { type: 'message', id: 'msg_1', role: 'assistant', content: [] },
  ];
  const response = { object: 'response', model: 'gpt-4.1-2025-04-14', output, usage: { input_tokens: 100, output_tokens: 20 } };

  it('counts each file_search_call item once, however many queries it ran (billed per tool call)', () => {
    expect(adapter.usageFromJson(info('/v1/responses', { model: 'gpt-4.1' }), response).usage).toEqual(usage({ inputTokens: 100, outputTokens: 20, fileSearches: 2, webSearches: 1 }));
    const fileOnly = { ...response, output: [output[1], output[3]] };
    expect(adapter.usageFromJson(info('/v1/responses', { model: 'gpt-4.1' }), fileOnly).usage).toEqual(usage({ inputTokens: 100, outputTokens: 20, fileSearches: 1 }));
    expect(adapter.usageFromJson(info('/v1/responses', { model: 'gpt-4.1' }), { ...response, output: [] }).usage).toEqual(usage({ inputTokens: 100, outputTokens: 20 }));
  });

  it('counts them in the terminal event of a stream, completed or not', () => {
    for (const type of ['response.completed', 'response.incomplete', 'response.failed']) {
      const seen = replayFrames('/v1/responses', [`event: ${type}\ndata: ${JSON.stringify({ type, response })}`]);
      expect(seen.observed.usage, type).toEqual(usage({ inputTokens: 100, outputTokens: 20, fileSearches: 2, webSearches: 1 }));
    }
  });
});

describe('stream accumulators on fixtures', () => {
  const streamCases: Array<[file: string, path: string, expected: Observed, strips: boolean]> = [
    ['chat-stream-usage.sse', '/chat/completions', { finishReasons: ['stop'], model: 'gpt-4o-mini-2024-07-18', usage: usage({ inputTokens: 1250, outputTokens: 9, cacheReadTokens: 1024, serviceTier: 'default' }) }, true],
    ['chat-stream-no-usage.sse', '/chat/completions', { finishReasons: ['stop'], model: 'gpt-4o-mini-2024-07-18', usage: null }, false],
    ['completions-stream.sse', '/completions', { finishReasons: ['length'], model: 'gpt-3.5-turbo-instruct:20230824-v2', usage: usage({ inputTokens: 6, outputTokens: 5 }) }, true],
    ['responses-stream.sse', '/responses', { model: 'gpt-5-mini-2025-08-07', responseId: 'resp_68af0c1e9a', usage: usage({ inputTokens: 1250, outputTokens: 140, cacheReadTokens: 1024, reasoningTokens: 128, serviceTier: 'default' }) }, false],
    ['responses-stream-incomplete.sse', '/responses', { model: 'gpt-5-mini-2025-08-07', responseId: 'resp_68af0c1e9a', usage: usage({ inputTokens: 1250, outputTokens: 256, reasoningTokens: 250, serviceTier: 'default' }) }, false],
    // DeepSeek puts usage on a chunk that still has choices: read it, never drop it.
    ['deepseek-stream.sse', '/chat/completions', { finishReasons: ['stop'], model: 'deepseek-chat', usage: usage({ inputTokens: 1850, outputTokens: 6, cacheReadTokens: 1792 }) }, false],
    ['openrouter-stream.sse', '/chat/completions', { finishReasons: ['stop'], model: 'openai/gpt-4o-mini', usage: usage({ inputTokens: 14, outputTokens: 4, providerCostNano: 4_500 }) }, true],
    ['groq-stream.sse', '/chat/completions', { finishReasons: ['stop'], model: 'openai/gpt-oss-20b', usage: usage({ inputTokens: 77, outputTokens: 25, reasoningTokens: 18 }) }, false],
  ];

  for (const [file, path, expected, strips] of streamCases) {
    const bytes = fixture(file);
    const text = dec.decode(bytes);

    it(`${file}: usage and model; nothing dropped without strip`, () => {
      const out = replay(bytes, info(path), { stripInjectedUsage: false });
      expect(out.observed).toEqual(expected);
      expect(out.dropped).toEqual([]);
      expect(out.kept).toBe(text);
    });

    it(`${file}: with strip, drops ${strips ? 'exactly the usage-only chunk' : 'nothing'}`, () => {
      const out = replay(bytes, info(path), { stripInjectedUsage: true });
      expect(out.observed).toEqual(expected);
      if (!strips) {
        expect(out.dropped).toEqual([]);
        expect(out.kept).toBe(text);
        return;
      }
      expect(out.dropped).toHaveLength(1);
      const chunk = JSON.parse((out.dropped[0] ?? '').replace(/^data: /, '')) as { choices: unknown[]; usage: unknown };
      expect(chunk.choices).toEqual([]);
      expect(chunk.usage).not.toBeNull();
      expect(out.kept).toBe(text.replace(out.dropped[0] ?? '', ''));
      expect(out.kept.endsWith('data: [DONE]\n\n')).toBe(true);
    });
  }

  it('keeps the last non-null usage seen in a chat stream', () => {
    const out = replayFrames('/chat/completions', [
      { model: 'a', choices: [{ delta: {} }], usage: { prompt_tokens: 1, completion_tokens: 1 } },
      { model: 'a', choices: [{ delta: {} }], usage: null },
      { model: 'b', choices: [], usage: { prompt_tokens: 3, completion_tokens: 4 } },
      { model: 'b', choices: [], usage: 'garbage' },
      'data: not json at all',
      'data: [DONE]',
    ]);
    expect(out.observed).toEqual({ model: 'b', usage: usage({ inputTokens: 3, outputTokens: 4 }) });
  });

  it('reads each choice\'s finish_reason from the chunk that carries it, in choice order, spaces or not', () => {
    const out = replayFrames('/chat/completions', [
      { model: 'a', choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }, { index: 1, delta: { content: 'y' }, finish_reason: null }] },
      // Written out: a space after the colon must not hide the finish_reason.
      'data: {"model":"a","choices":[{"index":1,"delta":{},"finish_reason": "length"}]}',
      { model: 'a', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null },
      'data: [DONE]',
    ]);
    expect(out.observed).toEqual({ model: 'a', usage: null, finishReasons: ['stop', 'length'] });
    const body = { model: 'a', choices: [{ index: 0, finish_reason: 'tool_calls' }, { index: 1, finish_reason: 'content_filter' }] };
    expect(adapter.usageFromJson(info('/chat/completions'), body).finishReasons).toEqual(['tool_calls', 'content_filter']);
  });

  it('ignores usage in response.created / in_progress and returns null without a terminal event', () => {
    const zero = '{"input_tokens":0,"output_tokens":0,"total_tokens":0}';
    const out = replayFrames('/responses', [
      `event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"model":"gpt-5","usage":${zero}}}`,
      `event: response.in_progress\ndata: {"type":"response.in_progress","sequence_number":1,"response":{"model":"gpt-5","usage":${zero}}}`,
      'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":2,"delta":"Hi"}',
    ], { stripInjectedUsage: true });
    expect(out.observed).toEqual({ model: 'gpt-5', usage: null });
    expect(out.dropped).toEqual([]);
  });

  it('meters response.failed and reads Responses frames that lack event: lines', () => {
    const out = replayFrames('/responses', [
      'data: {"type":"response.created","sequence_number":0,"response":{"model":"grok-4","usage":null}}',
      'data: {"type":"response.failed","sequence_number":5,"response":{"model":"grok-4-0709","status":"failed","usage":{"input_tokens":40,"output_tokens":2}}}',
    ]);
    expect(out.observed).toEqual({ model: 'grok-4-0709', usage: usage({ inputTokens: 40, outputTokens: 2 }), failed: 'response failed: no reason given' });
  });

  it('frames the chat accumulator lets pass undecoded change nothing: same usage, same bytes, same frames dropped', () => {
    for (const file of ['chat-stream-usage.sse', 'chat-stream-no-usage.sse', 'completions-stream.sse', 'deepseek-stream.sse', 'openrouter-stream.sse', 'groq-stream.sse']) {
      const path = file.startsWith('completions') ? '/completions' : '/chat/completions';
      const frames = replayStream(adapter, info(path), { stripInjectedUsage: false }, fixture(file), 7, false).frames;
      // Only content chunks after the first pass: the first (model), the usage and finish chunks and [DONE] are decoded.
      const expected = frames.filter((f) => f.data.startsWith('{') && !/"(usage|finish_reason)":(?!null)/.test(f.data)).length - 1;
      for (const stripInjectedUsage of [false, true]) {
        expect(expectBypassChangesNothing(adapter, info(path), { stripInjectedUsage }, fixture(file)), `${file}, strip ${stripInjectedUsage}`).toBe(expected);
      }
    }
  });

  it('an interrupted stream reports usage null (the proxy estimates)', () => {
    const bytes = fixture('chat-stream-usage.sse');
    const out = replay(bytes.subarray(0, Math.floor(bytes.length / 2)), info('/chat/completions'), { stripInjectedUsage: true });
    expect(out.observed).toEqual({ model: 'gpt-4o-mini-2024-07-18', usage: null });
    expect(out.dropped).toEqual([]);
  });

  it('unmetered endpoints pass every frame and observe nothing', () => {
    const req = adapter.describe('GET', '/models', undefined);
    const out = replay(fixture('chat-stream-usage.sse'), req, { stripInjectedUsage: true });
    expect(out.observed).toEqual({ model: null, usage: null });
    expect(out.dropped).toEqual([]);
  });
});
