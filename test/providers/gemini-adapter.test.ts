import { describe, expect, it } from 'vitest';
import { ProxyError, STATUS_BY_KIND } from '../../src/lib/errors.js';
import { createGeminiAdapter } from '../../src/providers/gemini.js';
import { expectUnmetered, expectUpstreamAuth, kindsByRenderedValue, UNMETERED } from './support.js';

const adapter = createGeminiAdapter();

describe('auth', () => {
  it('reads the client key from x-goog-api-key, else from ?key=', () => {
    expect(adapter.clientKey({ 'x-goog-api-key': 'mk_header' }, new URLSearchParams())).toBe('mk_header');
    expect(adapter.clientKey({}, new URLSearchParams('alt=sse&key=mk_query'))).toBe('mk_query');
    expect(adapter.clientKey({ 'x-goog-api-key': 'mk_header' }, new URLSearchParams('key=mk_query'))).toBe('mk_header');
    expect(adapter.clientKey({ 'x-goog-api-key': ' ' }, new URLSearchParams('key=mk_query'))).toBe('mk_query');
    expect(adapter.clientKey({}, new URLSearchParams('key='))).toBeNull();
    expect(adapter.clientKey({ authorization: 'Bearer mk_x' }, new URLSearchParams())).toBeNull();
  });

  it('deletes ?key= from the query, sends the real key as x-goog-api-key and drops authorization', () => {
    const query = expectUpstreamAuth(
      adapter,
      'AIza-real',
      {
        dropped: { authorization: 'Bearer ya29.oauth' },
        kept: { 'content-type': 'application/json', 'x-goog-api-client': 'google-genai-sdk/2.32.0' },
        added: { 'x-goog-api-key': 'AIza-real' },
      },
      new URLSearchParams('alt=sse&key=mk_query&foo=1'),
    );
    expect(query.toString()).toBe('alt=sse&foo=1');
    expect(query.has('key')).toBe(false);
  });
});

describe('describe', () => {
  it('takes the model from the URL path for every metered method and API version', () => {
    const cases = [
      ['/v1beta/models/gemini-2.5-flash:generateContent', 'generateContent', 'chat', false, 'gemini-2.5-flash'],
      ['/v1beta/models/gemini-2.5-pro:streamGenerateContent', 'generateContent', 'chat', true, 'gemini-2.5-pro'],
      ['/v1/models/gemini-2.0-flash-001:generateContent', 'generateContent', 'chat', false, 'gemini-2.0-flash-001'],
      ['/v1beta/models/gemini-embedding-001:embedContent', 'embedContent', 'embeddings', false, 'gemini-embedding-001'],
      ['/v1beta/models/text-embedding-004:batchEmbedContents', 'batchEmbedContents', 'embeddings', false, 'text-embedding-004'],
      ['/v1beta/tunedModels/my-support-bot-7x2k:generateContent', 'generateContent', 'chat', false, 'tunedModels/my-support-bot-7x2k'],
    ] as const;
    for (const [path, endpoint, kind, streaming, model] of cases) {
      expect(adapter.describe('POST', path, {}), path).toMatchObject({ endpoint, kind, metered: true, streaming, model });
    }
  });

  it('forwards countTokens, listings and unknown methods unmetered', () => {
    expect(adapter.describe('POST', '/v1beta/models/gemini-2.5-flash:countTokens', {})).toEqual({ ...UNMETERED, endpoint: 'countTokens', model: 'gemini-2.5-flash' });
    expectUnmetered(
      adapter,
      [
        'GET /v1beta/models',
        'GET /v1beta/models/gemini-2.5-flash',
        'GET /v1beta/models/gemini-2.5-flash:generateContent',
        'POST /v1beta/models/gemini-2.5-flash:predict',
        'POST /v1beta/cachedContents',
        'POST /v2/models/gemini-2.5-flash:generateContent',
        'POST /v1beta/models/a/b:generateContent',
      ],
      // Model-shaped paths keep their model (see countTokens): only the routing fields are fixed.
      { endpoint: 'other', kind: 'other', metered: false, streaming: false },
    );
  });

  it('reads maxOutputTokens from generationConfig', () => {
    const body = { contents: [], generationConfig: { maxOutputTokens: 2048, thinkingConfig: { thinkingBudget: 1024 } } };
    expect(adapter.describe('POST', '/v1beta/models/gemini-2.5-flash:generateContent', body).maxOutputTokens).toBe(2048);
    expect(adapter.describe('POST', '/v1beta/models/gemini-2.5-flash:generateContent', { generationConfig: { maxOutputTokens: 'lots' } }).maxOutputTokens).toBeNull();
    expect(adapter.describe('POST', '/v1beta/models/gemini-2.5-flash:generateContent', undefined).maxOutputTokens).toBeNull();
  });

  it('reads generation_config.max_output_tokens and candidate_count: the proto field names, which the proto3 JSON mapping Gemini parses with accepts beside the camelCase ones', () => {
    // A 65,536-token answer limit sent in snake_case was read as no limit: the reservation
    // assumed the default output (1,024 tokens) while the provider may bill 64 times that.
    const path = '/v1beta/models/gemini-2.5-pro:generateContent';
    const info = adapter.describe('POST', path, { contents: [], generation_config: { max_output_tokens: 65536, candidate_count: 2 } });
    expect(info.maxOutputTokens).toBe(65536);
    expect(info.outputChoices).toBe(2);
    expect(adapter.describe('POST', path, { generationConfig: { max_output_tokens: 4096 } }).maxOutputTokens).toBe(4096);
    expect(adapter.describe('POST', path, { generation_config: { maxOutputTokens: 4096, candidateCount: 3 } }).outputChoices).toBe(3);
  });

  it('drops response field masks (fields, $fields) from metered requests: a mask without usageMetadata leaves an answer the provider bills with no usage to read', () => {
    const query = new URLSearchParams('alt=sse&fields=candidates&%24fields=candidates.content');
    adapter.stripUnmeterableQuery?.(query);
    expect(query.toString()).toBe('alt=sse');
  });

  it('leaves the query of every other request as sent: the SDK downloads files with GET …:download?alt=media (@google/genai downloadFile)', () => {
    const query = new URLSearchParams('alt=media&fields=name');
    adapter.applyUpstreamAuth({}, query, 'real');
    expect(query.toString()).toBe('alt=media&fields=name');
  });

  it('drops response formats it cannot read (alt / $alt other than json or sse: proto, media) and JSONP callbacks: the answer would be relayed raw, its output never read', () => {
    const query = new URLSearchParams('alt=proto&%24alt=media&callback=f&%24callback=g');
    adapter.stripUnmeterableQuery?.(query);
    expect(query.toString()).toBe('');
    for (const kept of ['alt=sse', 'alt=json', '%24alt=sse']) {
      const q = new URLSearchParams(kept);
      adapter.stripUnmeterableQuery?.(q);
      expect(q.toString()).toBe(kept);
    }
  });

  it('reads an int32 bound sent as a JSON string, as the proto3 JSON mapping Gemini parses with accepts ("65536" for maxOutputTokens, "4" for candidateCount)', () => {
    // Was read as no limit (the default output reserved) and one answer.
    const info = adapter.describe('POST', '/v1beta/models/gemini-2.5-pro:generateContent', { generationConfig: { maxOutputTokens: '65536', candidateCount: '4' } });
    expect(info.maxOutputTokens).toBe(65536);
    expect(info.outputChoices).toBe(4);
    expect(adapter.describe('POST', '/v1beta/models/gemini-2.5-pro:generateContent', { generationConfig: { maxOutputTokens: 'lots' } }).maxOutputTokens).toBeNull();
  });

  it('reads candidateCount as the answers generated and billed', () => {
    expect(adapter.describe('POST', '/v1beta/models/gemini-2.5-flash:generateContent', { generationConfig: { candidateCount: 4, maxOutputTokens: 100 } }).outputChoices).toBe(4);
    expect(adapter.describe('POST', '/v1beta/models/gemini-2.5-flash:generateContent', { generationConfig: { candidateCount: 1 } }).outputChoices).toBeUndefined();
  });

  it('estimates embedding input tokens from the request texts (ceil(chars / 4) per text)', () => {
    const single = { content: { parts: [{ text: 'What is your name?' }] }, taskType: 'RETRIEVAL_DOCUMENT', title: 'About me' };
    // 18 chars → 5 tokens; title 8 chars → 2 tokens.
    expect(adapter.describe('POST', '/v1beta/models/gemini-embedding-001:embedContent', single).estimatedInputTokens).toBe(7);
    const batch = {
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'What is your name?' }] } },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'What is your favorite color?' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] } },
      ],
    };
    // 18 chars → 5, 28 chars → 7; non-text parts add nothing.
    expect(adapter.describe('POST', '/v1beta/models/gemini-embedding-001:batchEmbedContents', batch).estimatedInputTokens).toBe(12);
    expect(adapter.describe('POST', '/v1beta/models/gemini-embedding-001:batchEmbedContents', { requests: 'nope' }).estimatedInputTokens).toBe(0);
    expect(adapter.describe('POST', '/v1beta/models/gemini-embedding-001:embedContent', undefined).estimatedInputTokens).toBeUndefined();
    expect(adapter.describe('POST', '/v1beta/models/gemini-2.5-flash:generateContent', single).estimatedInputTokens).toBeUndefined();
  });

  it('never rewrites the request body (alt=sse is left to the client)', () => {
    const info = adapter.describe('POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent', { contents: [] });
    expect(adapter.prepare(info, { contents: [] }, new TextEncoder().encode('{"contents":[]}'))).toEqual({ stripInjectedUsage: false });
  });
});

describe('renderError', () => {
  const expected = kindsByRenderedValue({
    INVALID_ARGUMENT: ['bad_request', 'method_not_allowed', 'payload_too_large', 'unsupported_media_type'],
    UNAUTHENTICATED: ['unauthorized'],
    PERMISSION_DENIED: ['forbidden'],
    NOT_FOUND: ['not_found'],
    RESOURCE_EXHAUSTED: ['budget_exceeded', 'budget_busy'],
    UNAVAILABLE: ['unavailable', 'upstream_unreachable'],
    DEADLINE_EXCEEDED: ['upstream_timeout'],
    INTERNAL: ['internal'],
  });

  for (const [kind, status] of expected) {
    it(`${kind} → ${STATUS_BY_KIND[kind]} ${status}`, () => {
      const rendered = adapter.renderError(new ProxyError(kind, `message for ${kind}`));
      expect(rendered.status).toBe(STATUS_BY_KIND[kind]);
      expect(rendered.headers).toEqual({ 'content-type': 'application/json' });
      expect(JSON.parse(rendered.body)).toEqual({ error: { code: STATUS_BY_KIND[kind], message: `message for ${kind}`, status } });
    });
  }

  it('merges details into error and extra headers into the response', () => {
    const rendered = adapter.renderError(new ProxyError('budget_exceeded', 'Budget exhausted', { reset_at: '2026-12-01T00:00:00Z', budget: { name: 'b' } }, { 'Retry-After': '5' }));
    expect(rendered.headers).toEqual({ 'content-type': 'application/json', 'Retry-After': '5' });
    expect(JSON.parse(rendered.body)).toEqual({ error: { code: 429, message: 'Budget exhausted', status: 'RESOURCE_EXHAUSTED', reset_at: '2026-12-01T00:00:00Z', budget: { name: 'b' } } });
  });
});
