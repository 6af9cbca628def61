import { describe, expect, it } from 'vitest';
import { ProxyError, STATUS_BY_KIND } from '../../src/lib/errors.js';
import { createOpenAiAdapter } from '../../src/providers/openai.js';
import { expectMetered, expectUnmetered, expectUpstreamAuth, kindsByRenderedValue, metered } from './support.js';

const adapter = createOpenAiAdapter();
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Runs prepare the way the proxy does: raw bytes in, parsed body alongside. */
function prepare(body: Record<string, unknown> | string, path = '/chat/completions', a = adapter) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const parsed: unknown = JSON.parse(raw);
  const info = a.describe('POST', path, parsed);
  const out = a.prepare(info, parsed, enc.encode(raw));
  return { ...out, text: out.body ? dec.decode(out.body) : undefined };
}

describe('auth', () => {
  it('reads the client key from a Bearer authorization header', () => {
    const q = new URLSearchParams();
    expect(adapter.clientKey({ authorization: 'Bearer mk_live_abc' }, q)).toBe('mk_live_abc');
    expect(adapter.clientKey({ authorization: 'bearer   mk_x  ' }, q)).toBe('mk_x');
    expect(adapter.clientKey({ authorization: 'Basic Zm9vOmJhcg==' }, q)).toBeNull();
    expect(adapter.clientKey({ authorization: 'Bearer ' }, q)).toBeNull();
    expect(adapter.clientKey({}, q)).toBeNull();
  });

  it('sets the upstream key and removes org/project headers', () => {
    expectUpstreamAuth(adapter, 'sk-real', {
      dropped: { authorization: 'Bearer mk_live_abc', 'openai-organization': 'org-client', 'openai-project': 'proj_client' },
      kept: { 'x-stainless-retry-count': '0' },
      added: { authorization: 'Bearer sk-real' },
    });
  });
});

describe('describe', () => {
  it('classifies metered endpoints, with or without /v1', () => {
    expectMetered(adapter, [
      ['chat.completions', 'chat', ['/chat/completions', '/v1/chat/completions', '/chat/completions/', '/chat/completions?foo=1']],
      ['responses', 'responses', ['/responses']],
      ['responses.compact', 'responses', ['/v1/responses/compact']],
      ['embeddings', 'embeddings', ['/embeddings']],
      ['completions', 'completions', ['/completions']],
    ]);
  });

  it('forwards everything else unmetered', () => {
    expectUnmetered(adapter, ['GET /models', 'GET /chat/completions', 'POST /files', 'GET /responses/resp_123', 'POST /v2/chat/completions']);
  });

  it('reserves for the largest output limit a body sets: a vendor that reads only max_tokens (DeepSeek documents no max_completion_tokens) bills up to it', () => {
    // max_completion_tokens: 16 beside max_tokens: 8000 was reserved as 16 output tokens.
    const deepseek = createOpenAiAdapter({ family: 'deepseek' });
    expect(deepseek.describe('POST', '/chat/completions', { model: 'deepseek-chat', max_completion_tokens: 16, max_tokens: 8000 }).maxOutputTokens).toBe(8000);
    expect(adapter.describe('POST', '/chat/completions', { model: 'gpt-4o', max_completion_tokens: 16, max_tokens: 8000 }).maxOutputTokens).toBe(8000);
  });

  it('reads model, streaming and the max output tokens', () => {
    const chat = adapter.describe('POST', '/chat/completions', { model: 'gpt-4o', stream: true, max_tokens: 100, max_completion_tokens: 300 });
    expect(chat).toEqual(metered('chat.completions', 'chat', { model: 'gpt-4o', streaming: true, maxOutputTokens: 300 }));
    expect(adapter.describe('POST', '/chat/completions', { model: 'gpt-4o', max_tokens: 100, max_completion_tokens: null }).maxOutputTokens).toBe(100);
    expect(adapter.describe('POST', '/responses', { max_output_tokens: 2048 }).maxOutputTokens).toBe(2048);
    const loose = adapter.describe('POST', '/chat/completions', { model: 42, stream: 'true', max_tokens: 'lots' });
    expect(loose).toMatchObject({ model: null, streaming: false, maxOutputTokens: null });
    expect(adapter.describe('POST', '/chat/completions', undefined)).toMatchObject({ metered: true, model: null, streaming: false });
  });

  it('reads how many answers are generated and billed: n, or best_of for legacy completions; none when one', () => {
    expect(adapter.describe('POST', '/chat/completions', { model: 'gpt-4o', n: 8, max_tokens: 100 }).outputChoices).toBe(8);
    expect(adapter.describe('POST', '/completions', { model: 'gpt-3.5-turbo-instruct', n: 2, best_of: 5 }).outputChoices).toBe(5);
    expect(adapter.describe('POST', '/chat/completions', { model: 'gpt-4o', n: 1 }).outputChoices).toBeUndefined();
    expect(adapter.describe('POST', '/chat/completions', { model: 'gpt-4o', n: 'many' }).outputChoices).toBeUndefined();
  });

  it('bounds the billed web searches of a Responses request by max_tool_calls when it has a web search tool', () => {
    const responses = (body: object) => adapter.describe('POST', '/v1/responses', { model: 'gpt-5', input: 'x', ...body }).maxWebSearches;
    expect(responses({ tools: [{ type: 'web_search' }], max_tool_calls: 3 })).toBe(3);
    expect(responses({ tools: [{ type: 'web_search_preview_2025_03_11' }, { type: 'function', name: 'f' }], max_tool_calls: 2 })).toBe(2);
    // No bound, or no web search tool: nothing to reserve for.
    expect(responses({ tools: [{ type: 'web_search' }] })).toBeUndefined();
    expect(responses({ tools: [{ type: 'function', name: 'f' }], max_tool_calls: 3 })).toBeUndefined();
  });

  it('says when a Responses request has the web search preview tool, which OpenAI bills at $25 per 1,000 on non-reasoning models', () => {
    const preview = (body: object) => adapter.describe('POST', '/v1/responses', { model: 'gpt-4o-mini', input: 'x', ...body }).webSearchPreview;
    expect(preview({ tools: [{ type: 'web_search_preview' }], max_tool_calls: 3 })).toBe(true);
    expect(preview({ tools: [{ type: 'web_search_preview_2025_03_11' }] })).toBe(true);
    // With the GA tool beside it the model may use either: the hold takes the dearer.
    expect(preview({ tools: [{ type: 'web_search' }, { type: 'web_search_preview' }] })).toBe(true);
    expect(preview({ tools: [{ type: 'web_search' }], max_tool_calls: 3 })).toBeUndefined();
    expect(preview({ tools: [{ type: 'web_search_2025_08_26' }] })).toBeUndefined();
    expect(preview({})).toBeUndefined();
  });

  it('bounds the billed file searches of a Responses request by max_tool_calls when it has a file search tool', () => {
    const describe = (body: object) => adapter.describe('POST', '/v1/responses', { model: 'gpt-4.1', input: 'x', ...body });
    const fileSearch = { type: 'file_search', vector_store_ids: ['vs_1'] };
    expect(describe({ tools: [fileSearch, { type: 'function', name: 'f' }], max_tool_calls: 4 })).toMatchObject({ maxFileSearches: 4 });
    expect(describe({ tools: [fileSearch], max_tool_calls: 4 }).maxWebSearches).toBeUndefined();
    // With a web search tool too, max_tool_calls is one bound for both kinds (the gate reserves it once).
    expect(describe({ tools: [fileSearch, { type: 'web_search' }], max_tool_calls: 2 })).toMatchObject({ maxFileSearches: 2, maxWebSearches: 2 });
    // No bound, or no file search tool: nothing to reserve for.
    expect(describe({ tools: [fileSearch] }).maxFileSearches).toBeUndefined();
    expect(describe({ tools: [{ type: 'web_search' }], max_tool_calls: 3 }).maxFileSearches).toBeUndefined();
    expect(describe({ max_tool_calls: 3 }).maxFileSearches).toBeUndefined();
  });

  it('names the state a Responses request continues: a previous response, or a conversation', () => {
    const continues = (path: string, body: object) => adapter.describe('POST', path, { model: 'gpt-5', input: 'x', ...body }).continues;
    expect(continues('/v1/responses', { previous_response_id: 'resp_1' })).toBe('resp_1');
    expect(continues('/v1/responses', { conversation: 'conv_1' })).toBe('conv:conv_1');
    expect(continues('/v1/responses', { conversation: { id: 'conv_2' } })).toBe('conv:conv_2');
    expect(continues('/v1/responses', {})).toBeUndefined();
    expect(continues('/v1/responses', { previous_response_id: '' })).toBeUndefined();
    // Only a metered endpoint's body is read.
    expect(continues('/v1/files', { previous_response_id: 'resp_1' })).toBeUndefined();
  });

  it('reads the id of a Responses answer, and of a background response still queued', () => {
    const info = adapter.describe('POST', '/v1/responses', { model: 'gpt-5', input: 'x' });
    const usage = { input_tokens: 1, output_tokens: 2, total_tokens: 3 };
    expect(adapter.usageFromJson(info, { id: 'resp_9', object: 'response', status: 'completed', usage })).toMatchObject({ responseId: 'resp_9' });
    const queued = adapter.usageFromJson(info, { id: 'resp_8', object: 'response', status: 'queued', background: true, usage: null });
    expect(queued).toMatchObject({ usage: null, pendingId: 'resp_8' });
    expect(adapter.usageFromJson(info, { id: 'resp_7', object: 'response', status: 'completed', usage }).pendingId).toBeUndefined();
    // A chat completion's id is not a response a request can continue.
    const chat = adapter.describe('POST', '/v1/chat/completions', { model: 'gpt-4o', messages: [] });
    expect(adapter.usageFromJson(chat, { id: 'chatcmpl-1', object: 'chat.completion', usage: { prompt_tokens: 1, completion_tokens: 1 } }).responseId).toBeUndefined();
  });
});

describe('prepare (stream usage injection)', () => {
  it('injects include_usage when absent, leaving every other byte as sent', () => {
    const raw = '{"model":"gpt-4o","seed":12345678901234567890,"temperature":1.0,"stream":true,"messages":[]}';
    const out = prepare(raw);
    expect(out.stripInjectedUsage).toBe(true);
    expect(out.text).toBe('{"stream_options":{"include_usage":true},"model":"gpt-4o","seed":12345678901234567890,"temperature":1.0,"stream":true,"messages":[]}');
  });

  it('keeps leading whitespace and works for legacy completions', () => {
    const out = prepare('  \n{ "model": "gpt-3.5-turbo-instruct", "stream": true, "prompt": "hi" }', '/completions');
    expect(out.stripInjectedUsage).toBe(true);
    expect(out.text).toBe('  \n{"stream_options":{"include_usage":true}, "model": "gpt-3.5-turbo-instruct", "stream": true, "prompt": "hi" }');
    expect(JSON.parse(out.text ?? '')).toEqual({ stream_options: { include_usage: true }, model: 'gpt-3.5-turbo-instruct', stream: true, prompt: 'hi' });
  });

  it('merges with other stream_options keys', () => {
    const body = { model: 'gpt-4o', stream: true, stream_options: { include_obfuscation: false }, messages: [{ role: 'user', content: 'hi' }] };
    const out = prepare(body);
    expect(out.stripInjectedUsage).toBe(true);
    expect(JSON.parse(out.text ?? '')).toEqual({ ...body, stream_options: { include_obfuscation: false, include_usage: true } });
  });

  it('treats stream_options: null as unset', () => {
    const out = prepare({ model: 'gpt-4o', stream: true, stream_options: null });
    expect(out.stripInjectedUsage).toBe(true);
    expect(JSON.parse(out.text ?? '')).toEqual({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true } });
  });

  it('changes nothing when the client set include_usage: true', () => {
    expect(prepare({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true } })).toEqual({ stripInjectedUsage: false, text: undefined });
  });

  it('turns an explicit include_usage: false on and strips the usage chunk: without it the provider still bills every token, reasoning included, and tokometer sees none', () => {
    // o4-mini at high effort: ~5,000 reasoning tokens billed as output, never streamed as frames;
    // respected, the call was recorded as `estimated` with output = frames relayed (~ the visible text).
    const raw = '{"model":"o4-mini","stream":true,"stream_options":{"include_usage":false},"messages":[]}';
    const out = prepare(raw);
    expect(out.stripInjectedUsage).toBe(true);
    expect(out.text).toBe('{"model":"o4-mini","stream":true,"stream_options":{"include_usage":true},"messages":[]}');
    // The last of repeated keys is the one the provider's parser keeps.
    const repeated = prepare('{"model":"o4-mini","stream":true,"stream_options":{"include_usage":true,"include_usage":false}}');
    expect(repeated.stripInjectedUsage).toBe(true);
    expect(JSON.parse(repeated.text ?? '').stream_options.include_usage).toBe(true);
  });

  it('changes nothing for non-streamed calls, other endpoints or odd stream_options', () => {
    const untouched = { stripInjectedUsage: false, text: undefined };
    expect(prepare({ model: 'gpt-4o', messages: [] })).toEqual(untouched);
    expect(prepare({ model: 'gpt-4o', stream: false })).toEqual(untouched);
    expect(prepare({ model: 'gpt-5', stream: true, input: 'hi' }, '/responses')).toEqual(untouched);
    expect(prepare({ model: 'text-embedding-3-small', stream: true, input: 'hi' }, '/embeddings')).toEqual(untouched);
    expect(prepare({ model: 'gpt-4o', stream: true, stream_options: 'yes' })).toEqual(untouched);
    const other = adapter.describe('POST', '/files', { stream: true });
    expect(adapter.prepare(other, { stream: true }, enc.encode('{"stream":true}'))).toEqual({ stripInjectedUsage: false });
  });

  it('does not inject for vendors that send stream usage unasked, unless told to', () => {
    const body = { model: 'llama-3.3-70b-versatile', stream: true };
    for (const family of ['groq', 'openrouter']) {
      expect(prepare(body, '/chat/completions', createOpenAiAdapter({ family })).stripInjectedUsage).toBe(false);
      expect(prepare(body, '/chat/completions', createOpenAiAdapter({ family, injectStreamUsage: true })).stripInjectedUsage).toBe(true);
    }
    expect(prepare(body, '/chat/completions', createOpenAiAdapter({ family: 'deepseek' })).stripInjectedUsage).toBe(true);
    expect(prepare(body, '/chat/completions', createOpenAiAdapter({ injectStreamUsage: false })).stripInjectedUsage).toBe(false);
    expect(createOpenAiAdapter({ family: 'xai' }).family).toBe('xai');
    expect(adapter.family).toBe('openai');
  });
});

describe('renderError', () => {
  // `type/code`: the error type, then the code (most kinds use one word for both).
  const expected = kindsByRenderedValue({
    'invalid_request_error/invalid_api_key': ['unauthorized'],
    'invalid_request_error/invalid_request': ['bad_request'],
    'invalid_request_error/method_not_allowed': ['method_not_allowed'],
    'invalid_request_error/unsupported_content_encoding': ['unsupported_media_type'],
    'permission_denied/permission_denied': ['forbidden'],
    'not_found/not_found': ['not_found'],
    'request_too_large/request_too_large': ['payload_too_large'],
    'budget_exceeded/budget_exceeded': ['budget_exceeded'],
    'budget_busy/budget_busy': ['budget_busy'],
    'server_error/service_unavailable': ['unavailable'],
    'server_error/server_error': ['internal'],
    'upstream_error/upstream_unreachable': ['upstream_unreachable'],
    'timeout/timeout': ['upstream_timeout'],
  }).map(([kind, typeCode]) => [kind, ...(typeCode.split('/') as [string, string])] as const);

  for (const [kind, type, code] of expected) {
    it(`${kind} → ${STATUS_BY_KIND[kind]} ${type}/${code}`, () => {
      const rendered = adapter.renderError(new ProxyError(kind, `msg for ${kind}`));
      expect(rendered.status).toBe(STATUS_BY_KIND[kind]);
      expect(rendered.headers).toEqual({ 'content-type': 'application/json' });
      expect(JSON.parse(rendered.body)).toEqual({ error: { message: `msg for ${kind}`, type, param: null, code } });
    });
  }

  it('merges details into the error object and adds extra headers', () => {
    const err = new ProxyError(
      'budget_exceeded',
      'Monthly budget of $50.00 for team "search" is exhausted.',
      { budget: 'team:search', reset_at: '2026-09-01T00:00:00Z' },
      { 'x-should-retry': 'false', 'retry-after': '3600' },
    );
    const rendered = adapter.renderError(err);
    expect(rendered.status).toBe(429);
    expect(rendered.headers).toEqual({ 'content-type': 'application/json', 'x-should-retry': 'false', 'retry-after': '3600' });
    expect(JSON.parse(rendered.body)).toEqual({
      error: {
        message: 'Monthly budget of $50.00 for team "search" is exhausted.',
        type: 'budget_exceeded',
        param: null,
        code: 'budget_exceeded',
        budget: 'team:search',
        reset_at: '2026-09-01T00:00:00Z',
      },
    });
  });
});

describe('runsDetached', () => {
  it('is set for a background response only, the work the provider goes on with after its client leaves', () => {
    expect(adapter.describe('POST', '/v1/responses', { model: 'gpt-4o', input: 'x', background: true }).runsDetached).toBe(true);
    expect(adapter.describe('POST', '/v1/responses', { model: 'gpt-4o', input: 'x' }).runsDetached).toBeUndefined();
    expect(adapter.describe('POST', '/v1/responses', { model: 'gpt-4o', input: 'x', background: 'true' }).runsDetached).toBeUndefined();
    expect(adapter.describe('POST', '/v1/chat/completions', { model: 'gpt-4o', messages: [], background: true }).runsDetached).toBeUndefined();
  });
});
