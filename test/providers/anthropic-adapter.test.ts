import { describe, expect, it } from 'vitest';
import { ProxyError, STATUS_BY_KIND } from '../../src/lib/errors.js';
import { createAnthropicAdapter } from '../../src/providers/anthropic.js';
import { expectUnmetered, expectUpstreamAuth, kindsByRenderedValue, metered, UNMETERED } from './support.js';

const adapter = createAnthropicAdapter();
const q = () => new URLSearchParams();

describe('auth', () => {
  it('reads the client key from x-api-key, else from a Bearer authorization header', () => {
    expect(adapter.clientKey({ 'x-api-key': 'mk_abc' }, q())).toBe('mk_abc');
    expect(adapter.clientKey({ 'x-api-key': '  mk_abc ' }, q())).toBe('mk_abc');
    expect(adapter.clientKey({ authorization: 'Bearer mk_oauth' }, q())).toBe('mk_oauth');
    expect(adapter.clientKey({ 'x-api-key': 'mk_header', authorization: 'Bearer mk_other' }, q())).toBe('mk_header');
    expect(adapter.clientKey({ 'x-api-key': '', authorization: 'Bearer mk_other' }, q())).toBe('mk_other');
    expect(adapter.clientKey({ authorization: 'Basic Zm9vOmJhcg==' }, q())).toBeNull();
    expect(adapter.clientKey({}, new URLSearchParams('key=mk_query'))).toBeNull();
  });

  it('sends the real key as x-api-key, drops authorization, keeps version and beta headers', () => {
    const query = expectUpstreamAuth(
      adapter,
      'sk-ant-real',
      {
        dropped: { authorization: 'Bearer mk_client' },
        kept: { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'context-1m-2025-08-07,extended-cache-ttl-2025-04-11', 'content-type': 'application/json' },
        added: { 'x-api-key': 'sk-ant-real' },
      },
      new URLSearchParams('beta=true'),
    );
    expect(query.toString()).toBe('beta=true');
  });
});

describe('describe', () => {
  it('bounds the billed web searches by the web search tools\' max_uses; none without a bound', () => {
    const searches = (tools: unknown) => adapter.describe('POST', '/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [], tools }).maxWebSearches;
    expect(searches([{ type: 'web_search_20250305', name: 'web_search', max_uses: 5 }, { name: 'get_weather', input_schema: {} }])).toBe(5);
    expect(searches([{ type: 'web_search_20250305', name: 'web_search' }])).toBeUndefined();
    expect(searches([{ name: 'get_weather', input_schema: {} }])).toBeUndefined();
    expect(searches(undefined)).toBeUndefined();
  });

  it('meters POST /v1/messages with model, stream flag and max_tokens', () => {
    const streamed = adapter.describe('POST', '/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 1024, stream: true, messages: [] });
    expect(streamed).toEqual(metered('messages', 'messages', { model: 'claude-sonnet-4-5', streaming: true, maxOutputTokens: 1024 }));
    expect(adapter.describe('post', '/v1/messages/', { model: 'claude-haiku-4-5', max_tokens: 64 })).toMatchObject({ metered: true, streaming: false, maxOutputTokens: 64 });
    expect(adapter.describe('POST', '/v1/messages?beta=true', {})).toMatchObject({ endpoint: 'messages', model: null, maxOutputTokens: null });
  });

  it('forwards count_tokens unmetered under its own endpoint name', () => {
    const counted = adapter.describe('POST', '/v1/messages/count_tokens', { model: 'claude-sonnet-4-5', messages: [] });
    expect(counted).toEqual({ ...UNMETERED, endpoint: 'messages.count_tokens', model: 'claude-sonnet-4-5' });
  });

  it('classifies everything else as other', () => {
    expectUnmetered(adapter, ['GET /v1/models', 'GET /v1/messages', 'POST /v1/messages/batches', 'POST /v1/complete', 'POST /messages'], { endpoint: 'other', kind: 'other', metered: false });
  });

  it('never rewrites the request body', () => {
    const info = adapter.describe('POST', '/v1/messages', { model: 'm', stream: true });
    expect(adapter.prepare(info, { model: 'm', stream: true }, new TextEncoder().encode('{"model":"m","stream":true}'))).toEqual({ stripInjectedUsage: false });
  });
});

describe('renderError', () => {
  const expected = kindsByRenderedValue({
    invalid_request_error: ['bad_request', 'method_not_allowed', 'unsupported_media_type'],
    authentication_error: ['unauthorized'],
    permission_error: ['forbidden'],
    not_found_error: ['not_found'],
    request_too_large: ['payload_too_large'],
    rate_limit_error: ['budget_exceeded', 'budget_busy'],
    overloaded_error: ['unavailable'],
    timeout_error: ['upstream_timeout'],
    api_error: ['upstream_unreachable', 'internal'],
  });

  for (const [kind, type] of expected) {
    it(`${kind} → ${STATUS_BY_KIND[kind]} ${type}`, () => {
      const rendered = adapter.renderError(new ProxyError(kind, `message for ${kind}`));
      expect(rendered.status).toBe(STATUS_BY_KIND[kind]);
      expect(rendered.headers['content-type']).toBe('application/json');
      const body = JSON.parse(rendered.body) as { type: string; error: { type: string; message: string }; request_id: string };
      expect(body).toEqual({ type: 'error', error: { type, message: `message for ${kind}` }, request_id: rendered.headers['request-id'] });
      expect(body.request_id).toMatch(/^req_tokometer_[0-9a-f]{32}$/);
    });
  }

  it('merges details into error and extra headers into the response; request ids differ per error', () => {
    const error = new ProxyError('budget_exceeded', "Budget 'x' exhausted", { reset_at: '2026-12-01T00:00:00Z', budget: { name: 'x', limit_usd: 5 } }, { 'Retry-After': '60', 'x-should-retry': 'false' });
    const a = adapter.renderError(error);
    const b = adapter.renderError(error);
    expect(a.status).toBe(429);
    expect(a.headers).toMatchObject({ 'Retry-After': '60', 'x-should-retry': 'false' });
    expect(JSON.parse(a.body)).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error', message: "Budget 'x' exhausted", reset_at: '2026-12-01T00:00:00Z', budget: { name: 'x', limit_usd: 5 } },
    });
    expect(a.headers['request-id']).not.toBe(b.headers['request-id']);
  });
});
